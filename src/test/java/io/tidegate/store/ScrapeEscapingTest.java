package io.tidegate.store;

import static io.tidegate.TestKeys.key;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.TestClock;
import io.tidegate.format.Label;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.MetricType;
import io.tidegate.format.NameEscaping;
import io.tidegate.format.NameValidation;
import io.tidegate.format.WireFormat;
import io.tidegate.ttl.ExpirySchedule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A scrape writes names that are not legacy-valid as its escaping scheme says, as expfmt's encoders do after
 * model.EscapeMetricFamily. The family and the expected text are expfmt/text_create_test.go's cases 2 (UTF-8
 * names, as {@code allow-utf-8} writes them) and 1 (the same family with legacy names, which is what
 * {@code underscores} makes of case 2), prometheus/common v0.67.5.
 */
class ScrapeEscapingTest {
    private static final String HELP = "gauge\ndoc\nstr\"ing";

    private static MetricFamily gaugeName() {
        return new MetricFamily("gauge.name", HELP, MetricType.GAUGE, List.of(
                Metric.simple(List.of(new Label("name.1", "val with\nnew line"),
                        new Label("name*2", "val with \\backslash and \"quotes\"")), Double.POSITIVE_INFINITY, null),
                Metric.simple(List.of(new Label("name.1", "Björn"), new Label("name*2", "佖佥")), 3.14e42, null)));
    }

    private static String text(StoredFamily family, NameEscaping escaping) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WireFormat.TEXT.format().writeFamily(family.writtenName(escaping), family.family().help(),
                family.family().type(), List.of(family.rendered(WireFormat.TEXT, escaping)), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void allowUtf8WritesQuotedNamesAsExpfmt() throws IOException {
        StoredFamily family = StoredFamily.restored(gaugeName(), 0, StoredFamily.NEVER, 0);
        // text_create_test.go case 2
        assertThat(text(family, NameEscaping.ALLOW_UTF8)).isEqualTo("""
                # HELP "gauge.name" gauge\\ndoc\\nstr"ing
                # TYPE "gauge.name" gauge
                {"gauge.name","name.1"="val with\\nnew line","name*2"="val with \\\\backslash and \\"quotes\\""} +Inf
                {"gauge.name","name.1"="Björn","name*2"="佖佥"} 3.14e+42
                """);
    }

    @Test
    void underscoresWriteTheLegacyFamilyOfExpfmtsCaseOne() throws IOException {
        StoredFamily family = StoredFamily.restored(gaugeName(), 0, StoredFamily.NEVER, 0);
        // text_create_test.go case 1
        assertThat(text(family, NameEscaping.UNDERSCORES)).isEqualTo("""
                # HELP gauge_name gauge\\ndoc\\nstr"ing
                # TYPE gauge_name gauge
                gauge_name{name_1="val with\\nnew line",name_2="val with \\\\backslash and \\"quotes\\""} +Inf
                gauge_name{name_1="Björn",name_2="佖佥"} 3.14e+42
                """);
    }

    @Test
    void dotsAndValuesEscapeAsModelEscapeName() throws IOException {
        StoredFamily family = StoredFamily.restored(gaugeName(), 0, StoredFamily.NEVER, 0);
        assertThat(text(family, NameEscaping.DOTS)).contains("# TYPE gauge_dot_name gauge\n")
                .contains("gauge_dot_name{name_dot_1=\"Björn\",name__2=\"佖佥\"} 3.14e+42\n");
        assertThat(text(family, NameEscaping.VALUES)).contains("# TYPE U__gauge_2e_name gauge\n")
                .contains("U__gauge_2e_name{U__name_2e_1=\"Björn\",U__name_2a_2=\"佖佥\"} 3.14e+42\n");
    }

    @Test
    void legacyNamesAreServedTheSameBytesWhateverTheScheme() {
        MetricFamily legacy = new MetricFamily("up", null, MetricType.GAUGE,
                List.of(Metric.simple(List.of(new Label("a:b", "1"), new Label("job", "x")), 1, null)));
        StoredFamily family = StoredFamily.restored(legacy, 0, StoredFamily.NEVER, 0);
        byte[] rendered = family.rendered(WireFormat.TEXT);
        for (NameEscaping escaping : NameEscaping.values()) {
            // the one rendering itself: no escaping work and no second copy for legacy names
            assertThat(family.rendered(WireFormat.TEXT, escaping)).isSameAs(rendered);
            assertThat(family.writtenName(escaping)).isEqualTo("up");
        }
    }

    @Test
    void scrapesAskingDifferentSchemesNeverServeEachOthersBytes() throws IOException {
        WriteLimits d = WriteLimits.DEFAULTS;
        Store store = new Store(new TestClock(Instant.parse("2026-11-25T10:00:00Z")), true, name -> null, 0,
                new WriteLimits(d.maxSeries(), d.maxLabelsPerSeries(), d.maxLabelNameLength(), d.maxLabelValueLength(),
                        d.maxGroups(), d.maxStoredSeries(), d.maxStoredBytes(), NameValidation.UTF8),
                new ExpirySchedule());
        MetricFamily dotted = new MetricFamily("my.metric", null, MetricType.GAUGE,
                List.of(Metric.simple(List.of(new Label("label.name", "v")), 1, null)));
        assertThat(store.write(new WriteRequest(key("job", "a"), Verb.PUT, Map.of("my.metric", dotted),
                Source.http("t"))).refusal()).isNull();

        String utf8 = scrape(store, WireFormat.TEXT, NameEscaping.ALLOW_UTF8);
        String underscores = scrape(store, WireFormat.TEXT, NameEscaping.UNDERSCORES);
        assertThat(utf8).contains("{\"my.metric\",instance=\"\",job=\"a\",\"label.name\"=\"v\"} 1\n");
        assertThat(underscores).contains("my_metric{instance=\"\",job=\"a\",label_name=\"v\"} 1\n")
                .doesNotContain("my.metric");
        // again, each now from its cache
        assertThat(scrape(store, WireFormat.TEXT, NameEscaping.ALLOW_UTF8)).isEqualTo(utf8);
        assertThat(scrape(store, WireFormat.TEXT, NameEscaping.UNDERSCORES)).isEqualTo(underscores);
        assertThat(scrape(store, WireFormat.OPENMETRICS, NameEscaping.VALUES))
                .contains("U__my_2e_metric{instance=\"\",job=\"a\",U__label_2e_name=\"v\"} 1.0\n");
        assertThat(scrape(store, WireFormat.PROTOBUF, NameEscaping.DOTS)).contains("my_dot_metric")
                .contains("label_dot_name").doesNotContain("my.metric");
        assertThat(scrape(store, WireFormat.PROTOBUF, NameEscaping.ALLOW_UTF8)).contains("my.metric")
                .contains("label.name");
    }

    private static String scrape(Store store, WireFormat format, NameEscaping escaping) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.snapshot().scrape(format, escaping, List.of(), out);
        return out.toString(StandardCharsets.UTF_8);
    }
}
