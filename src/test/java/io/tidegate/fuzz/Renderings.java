package io.tidegate.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.format.ExpositionFormat;
import io.tidegate.format.Label;
import io.tidegate.format.Metric;
import io.tidegate.format.NameValidation;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.ParsedBody;
import io.tidegate.format.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Parsed families: written as a scrape writes them, for round trips, and checked for what every accepted body holds. */
public final class Renderings {
    private Renderings() {}

    public static byte[] render(WireFormat wireFormat, ParsedBody parsed) {
        ExpositionFormat format = wireFormat.format();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (MetricFamily family : parsed.families().values()) {
                format.writeFamily(family.name(), family.help(), family.type(), List.of(format.renderSeries(family)), out);
            }
            format.writeEnd(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** What every accepted body holds: valid names, series in every family, no label twice, sane timeouts. */
    public static void assertWellFormed(ParsedBody parsed) {
        assertWellFormed(parsed, NameValidation.LEGACY);
    }

    /** {@link #assertWellFormed(ParsedBody)}, names valid by {@code names}. */
    public static void assertWellFormed(ParsedBody parsed, NameValidation validation) {
        for (var entry : parsed.families().entrySet()) {
            MetricFamily family = entry.getValue();
            assertThat(family.name()).isEqualTo(entry.getKey());
            assertThat(validation.isValidMetricName(family.name())).as("metric name %s", family.name()).isTrue();
            assertThat(family.metrics()).as("series of %s", family.name()).isNotEmpty();
            for (Metric metric : family.metrics()) {
                Set<String> names = new HashSet<>();
                for (Label label : metric.labels()) {
                    assertThat(validation.isValidLabelName(label.name())).as("label name %s", label.name()).isTrue();
                    assertThat(names.add(label.name())).as("duplicate label %s", label.name()).isTrue();
                    assertThat(StandardCharsets.UTF_8.newEncoder().canEncode(label.value())).isTrue();
                }
            }
        }
        assertThat(parsed.families().keySet()).containsAll(parsed.staleTimeoutSeconds().keySet());
        for (Double seconds : parsed.staleTimeoutSeconds().values()) {
            if (seconds != null) {
                assertThat(seconds).isFinite().isNotNegative();
            }
        }
    }

}
