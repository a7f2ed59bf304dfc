package io.tidegate.format;

import static io.tidegate.format.PrometheusTextFormatTest.labels;
import static io.tidegate.format.PrometheusTextFormatTest.scrape;
import static io.tidegate.format.PrometheusTextFormatTest.scrapeOnePartPerSeries;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenMetricsFormatTest {
    private final OpenMetricsFormat format = new OpenMetricsFormat();

    @Test
    void answersWithTheOpenMetricsContentType() {
        assertThat(format.contentType()).isEqualTo("application/openmetrics-text; version=1.0.0; charset=utf-8");
    }

    @Test
    void counterFamilyIsNamedWithoutTotalAndItsSamplesWithIt() {
        MetricFamily counter = new MetricFamily("requests_total", "Requests \"served\".", MetricType.COUNTER,
                List.of(Metric.simple(labels("code", "200"), 1027, null), Metric.simple(labels("code", "500"), 0, null)));
        assertThat(scrape(format, counter)).isEqualTo("""
                # HELP requests Requests \\"served\\".
                # TYPE requests counter
                requests_total{code="200"} 1027.0
                requests_total{code="500"} 0.0
                """);
    }

    @Test
    void counterWithoutTotalSuffixAndUntypedAreUnknown() {
        MetricFamily counter = new MetricFamily("restarts", null, MetricType.COUNTER,
                List.of(Metric.simple(List.of(), 3, null)));
        MetricFamily untyped = new MetricFamily("thing", "A thing.", MetricType.UNTYPED,
                List.of(Metric.simple(labels("a", "x\\y\n\"z\""), 1e21, null)));
        assertThat(scrape(format, counter)).isEqualTo("# TYPE restarts unknown\nrestarts 3.0\n");
        assertThat(scrape(format, untyped)).isEqualTo("""
                # HELP thing A thing.
                # TYPE thing unknown
                thing{a="x\\\\y\\n\\"z\\""} 1e+21
                """);
    }

    @Test
    void gaugeValuesAlwaysShowAPointOrExponent() {
        MetricFamily gauge = new MetricFamily("temperature_celsius", "Temp.", MetricType.GAUGE, List.of(
                Metric.simple(labels("room", "a"), 21.5, null), Metric.simple(labels("room", "b"), 100000, null),
                Metric.simple(labels("room", "c"), Double.NaN, null)));
        assertThat(scrape(format, gauge)).isEqualTo("""
                # HELP temperature_celsius Temp.
                # TYPE temperature_celsius gauge
                temperature_celsius{room="a"} 21.5
                temperature_celsius{room="b"} 100000.0
                temperature_celsius{room="c"} NaN
                """);
    }

    @Test
    void summaryCountIsAnInteger() {
        MetricFamily summary = new MetricFamily("rpc_seconds", "RPC latency.", MetricType.SUMMARY, List.of(
                Metric.summary(labels("job", "a"), 2000, 1234.5, List.of(new Quantile(0.5, 0.0123), new Quantile(1, 2)),
                        null)));
        assertThat(scrape(format, summary)).isEqualTo("""
                # HELP rpc_seconds RPC latency.
                # TYPE rpc_seconds summary
                rpc_seconds{job="a",quantile="0.5"} 0.0123
                rpc_seconds{job="a",quantile="1.0"} 2.0
                rpc_seconds_sum{job="a"} 1234.5
                rpc_seconds_count{job="a"} 2000
                """);
    }

    @Test
    void histogramHasCanonicalLeAndIntegerCounts() {
        MetricFamily histogram = new MetricFamily("lat_seconds", "Latency.", MetricType.HISTOGRAM, List.of(
                Metric.histogram(labels("job", "a"), 9, 0.3,
                        List.of(new Bucket(0.005, 1), new Bucket(1, 5), new Bucket(1e6, 7)), null)));
        assertThat(scrape(format, histogram)).isEqualTo("""
                # HELP lat_seconds Latency.
                # TYPE lat_seconds histogram
                lat_seconds_bucket{job="a",le="0.005"} 1
                lat_seconds_bucket{job="a",le="1.0"} 5
                lat_seconds_bucket{job="a",le="1e+06"} 7
                lat_seconds_bucket{job="a",le="+Inf"} 9
                lat_seconds_sum{job="a"} 0.3
                lat_seconds_count{job="a"} 9
                """);
    }

    @Test
    void gaugeHistogramUsesGsumAndGcount() {
        MetricFamily histogram = new MetricFamily("queue_size", null, MetricType.GAUGE_HISTOGRAM, List.of(
                Metric.histogram(List.of(), 10, 12.5, List.of(new Bucket(1, 3), new Bucket(Double.POSITIVE_INFINITY, 10)),
                        null)));
        assertThat(scrape(format, histogram)).isEqualTo("""
                # TYPE queue_size gaugehistogram
                queue_size_bucket{le="1.0"} 3
                queue_size_bucket{le="+Inf"} 10
                queue_size_gsum 12.5
                queue_size_gcount 10
                """);
    }

    @Test
    void timestampsAreSeconds() {
        MetricFamily gauge = new MetricFamily("g", null, MetricType.GAUGE, List.of(
                Metric.simple(List.of(), 1, 1520879607789L), Metric.simple(labels("a", "b"), 2, 1000L)));
        assertThat(scrape(format, gauge)).isEqualTo("""
                # TYPE g gauge
                g 1.0 1.520879607789e+09
                g{a="b"} 2.0 1.0
                """);
    }

    @Test
    void endsWithEof() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        format.writeEnd(out);
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("# EOF\n");
    }

    @Test
    void aScrapeOfEveryTypeFollowsTheSpecification() {
        List<MetricFamily> families = List.of(
                new MetricFamily("requests_total", "Requests.", MetricType.COUNTER, List.of(
                        Metric.simple(labels("code", "200"), 10, null), Metric.simple(labels("code", "404"), 1, null))),
                new MetricFamily("restarts", null, MetricType.COUNTER, List.of(Metric.simple(List.of(), 3, null))),
                new MetricFamily("temperature", "Temp with \\ and \n and \".", MetricType.GAUGE, List.of(
                        Metric.simple(labels("room", "ünï \"q\"\n"), -3.5, null))),
                new MetricFamily("thing", null, MetricType.UNTYPED, List.of(Metric.simple(List.of(), 1e-7, 1234L))),
                new MetricFamily("rpc_seconds", "RPC.", MetricType.SUMMARY, List.of(Metric.summary(labels("job", "a"), 3,
                        4.5, List.of(new Quantile(0.5, 1), new Quantile(0.99, Double.NaN)), null))),
                new MetricFamily("lat_seconds", "Latency.", MetricType.HISTOGRAM, List.of(
                        Metric.histogram(labels("job", "a"), 9, 0.3, List.of(new Bucket(0.1, 1), new Bucket(1, 5)), null),
                        Metric.histogram(labels("job", "b"), 2, 0.3, List.of(new Bucket(Double.POSITIVE_INFINITY, 2)),
                                null))),
                new MetricFamily("queue_size", "Queue.", MetricType.GAUGE_HISTOGRAM, List.of(
                        Metric.histogram(List.of(), 4, 2, List.of(new Bucket(1e-5, 1), new Bucket(100000, 3)), null))));
        String exposition = scrapeOnePartPerSeries(format, families);

        assertThat(OpenMetricsSpecCheck.problems(exposition)).as(exposition).isEmpty();
    }

    @Test
    void specCheckCatchesBrokenExpositions() {
        assertThat(OpenMetricsSpecCheck.problems("# TYPE a counter\na 1\n# EOF\n")).isNotEmpty();
        assertThat(OpenMetricsSpecCheck.problems("# TYPE a gauge\na 1\n")).isNotEmpty();
        assertThat(OpenMetricsSpecCheck.problems("# TYPE a histogram\na_bucket{le=\"1\"} 1\n# EOF\n")).isNotEmpty();
        assertThat(OpenMetricsSpecCheck.problems("# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n# EOF\n"))
                .isNotEmpty();
        assertThat(OpenMetricsSpecCheck.problems("# TYPE a gaugehistogram\na_bucket{le=\"+Inf\"} 1\na_gsum 1\n# EOF\n"))
                .isNotEmpty();
        assertThat(OpenMetricsSpecCheck.problems("# TYPE a gauge\na{b=\"1\"} 1\n# EOF\n")).isEmpty();
    }
}
