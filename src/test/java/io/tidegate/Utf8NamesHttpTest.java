package io.tidegate;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;
import io.tidegate.differential.ProtobufBodies;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * UTF-8 names over HTTP, push to scrape, with and without {@code --push.enable-utf8-names}. The push is upstream
 * 1.11's handler/handler_test.go TestPushUTF8 (its body and its {@code U__}-encoded path); the scrapes ask each
 * escaping scheme as Prometheus 3 does, in its Accept header.
 */
class Utf8NamesHttpTest {
    private static final String PATH = "/metrics/job/testjob/instance/testinstance/U__dotted_2e_label_2e_name/mylabelvalue";
    private static final String BODY = "some_metric 3.14\n"
            + "{\"another.metric\",instance=\"testinstance\",job=\"testjob\",\"dotted.label.name\"=\"mylabelvalue\"} 42\n";
    private static final String SERIES_LABELS = "instance=\"testinstance\",job=\"testjob\"";

    private final RunningTidegate tidegate = new RunningTidegate();

    @AfterEach
    void stop() {
        tidegate.close();
    }

    @Test
    void utf8NamesArePushedAndScrapedInEachEscaping() {
        TestHttp http = tidegate.start("--push.enable-utf8-names").http();
        assertThat(http.put(PATH, BODY).status()).isEqualTo(200);

        TestHttp.Answer plain = http.get("/metrics");
        assertThat(plain.header("Content-Type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8; escaping=underscores");
        assertThat(plain.body()).contains("another_metric{dotted_label_name=\"mylabelvalue\"," + SERIES_LABELS + "} 42\n")
                .contains("some_metric{dotted_label_name=\"mylabelvalue\"," + SERIES_LABELS + "} 3.14\n")
                .doesNotContain("another.metric");

        TestHttp.Answer utf8 = http.get("/metrics", "Accept", "text/plain;version=0.0.4;escaping=allow-utf-8");
        assertThat(utf8.header("Content-Type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8; escaping=allow-utf-8");
        assertThat(utf8.body()).contains("# TYPE \"another.metric\" untyped\n")
                .contains("{\"another.metric\",\"dotted.label.name\"=\"mylabelvalue\"," + SERIES_LABELS + "} 42\n");

        assertThat(http.get("/metrics", "Accept", "text/plain;version=0.0.4;escaping=dots").body())
                .contains("another_dot_metric{dotted_dot_label_dot_name=\"mylabelvalue\"," + SERIES_LABELS + "} 42\n");
        TestHttp.Answer values = http.get("/metrics", "Accept", "application/openmetrics-text;version=1.0.0;escaping=values");
        assertThat(values.header("Content-Type"))
                .isEqualTo("application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=values");
        assertThat(values.body()).contains("U__another_2e_metric{U__dotted_2e_label_2e_name=\"mylabelvalue\","
                + SERIES_LABELS + "} 42.0\n");

        // the legacy family is the same in every scheme; the grouping key's label keeps its decoded name
        assertThat(http.get("/metrics", "Accept", "text/plain;escaping=allow-utf-8").body())
                .contains("some_metric{\"dotted.label.name\"=\"mylabelvalue\"," + SERIES_LABELS + "} 3.14\n");
        // the API shows the names as stored, as upstream's /api/v1/metrics does
        String api = http.get("/api/v1/metrics").body();
        assertThat(api).contains("\"dotted.label.name\":\"mylabelvalue\"").contains("\"another.metric\":{");
        // and a DELETE by the same encoded path finds the group
        assertThat(http.delete(PATH).status()).isEqualTo(202);
        assertThat(http.get("/metrics").body()).doesNotContain("another_metric");

        // TestPushUTF8's second request: the same key with base64 values, the encoded name taking @base64 too
        assertThat(http.put("/metrics/job/testjob/instance@base64/dGVzdGluc3RhbmNl"
                + "/U__dotted_2e_label_2e_name@base64/bXlsYWJlbHZhbHVl", BODY).status()).isEqualTo(200);
        assertThat(http.get("/metrics").body())
                .contains("another_metric{dotted_label_name=\"mylabelvalue\"," + SERIES_LABELS + "} 42\n");
    }

    @Test
    void protobufPushesCarryUtf8NamesWithTheFlag() {
        TestHttp http = tidegate.start("--push.enable-utf8-names").http();
        byte[] body = ProtobufBodies.delimited(ProtobufBodies.family("temp.celsius", "a help", Metrics.MetricType.GAUGE,
                ProtobufBodies.gauge(21.5, "room.name", "kitchen")));
        assertThat(http.send("PUT", "/metrics/job/pb", body, "Content-Type", ProtobufBodies.CONTENT_TYPE).status())
                .isEqualTo(200);
        assertThat(http.get("/metrics", "Accept", "text/plain;escaping=allow-utf-8").body())
                .contains("{\"temp.celsius\",instance=\"\",job=\"pb\",\"room.name\"=\"kitchen\"} 21.5\n");
    }

    @Test
    void withoutTheFlagQuotedLegacyNamesArePushedAndScrapedUnquoted() {
        TestHttp http = tidegate.start().http();
        // what upstream 1.11 takes without --push.enable-utf8-names (expfmt reads the quotes, checks legacy names)
        String body = """
                # HELP "my_metric" Requests by code.
                # TYPE "my_metric" counter
                {"my_metric","code"="200"} 3
                "other_metric"{"code"="404"} 1
                my_gauge{"room"="kitchen"} 21.5
                """;
        assertThat(http.put("/metrics/job/quoted", body).status()).isEqualTo(200);

        String scrape = http.get("/metrics").body();
        assertThat(scrape).contains("# HELP my_metric Requests by code.\n# TYPE my_metric counter\n"
                        + "my_metric{code=\"200\",instance=\"\",job=\"quoted\"} 3\n")
                .contains("other_metric{code=\"404\",instance=\"\",job=\"quoted\"} 1\n")
                .contains("my_gauge{instance=\"\",job=\"quoted\",room=\"kitchen\"} 21.5\n")
                .doesNotContain("\"my_metric\"").doesNotContain("\"code\"=");
        // the same names as when written without quotes: a later unquoted push of the family is consistent
        assertThat(http.put("/metrics/job/plain", "# TYPE my_metric counter\nmy_metric{code=\"500\"} 1\n").status())
                .isEqualTo(200);
        assertThat(http.get("/api/v1/metrics").body()).contains("\"my_metric\":{").doesNotContain("\\\"my_metric");
    }

    @Test
    void withoutTheFlagUtf8NamesAreRefusedAsBefore() {
        TestHttp http = tidegate.start().http();
        TestHttp.Answer quoted = http.put("/metrics/job/testjob", BODY);
        assertThat(quoted.status()).isEqualTo(400);
        // upstream 1.11's text: the name read is checked against the legacy names (expfmt LegacyValidation)
        assertThat(quoted.body()).contains("text format parsing error in line 2: invalid metric name \"another.metric\"");
        TestHttp.Answer dotted = http.put("/metrics/job/testjob/dotted.label/x", "some_metric 1\n");
        assertThat(dotted.status()).isEqualTo(400);
        assertThat(dotted.body()).contains("improper label name \"dotted.label\"");
        // the encoded name is an ordinary legacy name without the flag, as upstream
        assertThat(http.put(PATH, "some_metric 1\n").status()).isEqualTo(200);
        assertThat(http.get("/metrics").body()).contains("U__dotted_2e_label_2e_name=\"mylabelvalue\"");
    }
}
