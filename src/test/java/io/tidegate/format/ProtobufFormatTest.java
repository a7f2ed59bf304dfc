package io.tidegate.format;

import static io.tidegate.format.PrometheusTextFormatTest.grouped;
import static io.tidegate.format.PrometheusTextFormatTest.labels;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtobufFormatTest {
    private final ProtobufFormat format = new ProtobufFormat();

    private byte[] scrape(List<MetricFamily> families, boolean onePartPerSeries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (MetricFamily family : families) {
            List<byte[]> parts = new ArrayList<>();
            if (onePartPerSeries) {
                for (Metric metric : family.metrics()) {
                    parts.add(format.renderSeries(family.withMetrics(List.of(metric))));
                }
            } else {
                parts.add(format.renderSeries(family));
            }
            format.writeFamily(family.name(), family.help(), family.type(), parts, out);
        }
        format.writeEnd(out);
        return out.toByteArray();
    }

    private static List<Metrics.MetricFamily> decode(byte[] scrape) throws IOException {
        List<Metrics.MetricFamily> families = new ArrayList<>();
        InputStream in = new ByteArrayInputStream(scrape);
        Metrics.MetricFamily family;
        while ((family = Metrics.MetricFamily.parseDelimitedFrom(in)) != null) {
            families.add(family);
        }
        return families;
    }

    private static byte[] hex(String text) {
        return HexFormat.of().parseHex(text.replaceAll("\\s", ""));
    }

    @Test
    void answersWithTheDelimitedProtobufContentType() {
        assertThat(format.contentType()).isEqualTo(
                "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited");
    }

    /** Bytes the upstream Pushgateway served for the same pushes (text bodies), field for field. */
    @Test
    void encodesExactlyAsUpstream() throws IOException {
        MetricFamily counter = new MetricFamily("nohelp_total", null, MetricType.COUNTER, List.of(
                Metric.simple(grouped(), 17, null), Metric.simple(grouped("k", "v"), 1e21, null)));
        assertThat(scrape(List.of(counter), true)).isEqualTo(hex("""
                7e0a0c6e6f68656c705f746f74616c180022310a0a0a04696e7374120268690a0c0a08696e7374616e636512000a0a0a
                036a6f621203636d701a0909000000000000314022390a0a0a04696e7374120268690a0c0a08696e7374616e63651200
                0a0a0a036a6f621203636d700a060a016b1201761a090950efe2d6e41a4b44"""));
        assertThat(scrape(List.of(PrometheusTextFormatTest.escapedGauge()), false)).isEqualTo(hex("""
                f8010a096573635f67617567651234412067617567652077697468205c206261636b736c61736820616e64200a206e65
                776c696e6520616e64202271756f746573222e1801223d0a0a0a01611205706c61696e0a0a0a04696e7374120268690a
                0c0a08696e7374616e636512000a0a0a036a6f621203636d70120909000000000000008022740a080a01611203785c79
                0a0f0a0162120a6c696e650a627265616b0a0b0a016312067122756f74650a190a01641214c3bc6ec3af63c3b864c3a9
                20e29c9320f09f98800a0a0a04696e7374120268690a0c0a08696e7374616e636512000a0a0a036a6f621203636d7012
                09090000000000000a40"""));
        // The NaN quantile carries Go's NaN bits (7ff8000000000001), as upstream's text parser makes it.
        assertThat(scrape(List.of(PrometheusTextFormatTest.summary()), false)).isEqualTo(hex("""
                8f010a0b7270635f7365636f6e6473120c525043206c6174656e63792e180222700a0a0a04696e7374120268690a0c0a
                08696e7374616e636512000a0a0a036a6f621203636d70224808d00f1100000000004a93401a1209000000000000e03f
                118d28ed0dbe30893f1a1209cdccccccccccec3f119a9999999999b93f1a1209ae47e17a14aeef3f11010000000000f8
                7f"""));
        assertThat(scrape(List.of(PrometheusTextFormatTest.histogramWithoutInfBucket()), false)).isEqualTo(hex("""
                750a0b6c61745f7365636f6e647312084c6174656e63792e1804225a0a0a0a04696e7374120268690a0c0a08696e7374
                616e636512000a0a0a036a6f621203636d703a32080911333333333333d33f1a0b0801117b14ae47e17a743f1a0b0805
                119a9999999999b93f1a0b0807110000000080842e41"""));
    }

    @Test
    void everyTypeDecodesWithTheGeneratedClasses() throws IOException {
        List<MetricFamily> families = List.of(
                new MetricFamily("requests_total", "Requests.", MetricType.COUNTER, List.of(
                        Metric.simple(labels("code", "200", "path", "/ü"), 10, null))),
                new MetricFamily("temperature", null, MetricType.GAUGE, List.of(
                        Metric.simple(labels("room", ""), -3.5, 1700000000123L))),
                new MetricFamily("thing", "Untyped.", MetricType.UNTYPED, List.of(Metric.simple(List.of(), 7, -5L))),
                new MetricFamily("rpc_seconds", "RPC.", MetricType.SUMMARY, List.of(Metric.summary(labels("job", "a"),
                        3, 4.5, List.of(new Quantile(0.5, 1), new Quantile(0.99, 2)), null))),
                new MetricFamily("lat_seconds", "Latency.", MetricType.HISTOGRAM, List.of(Metric.histogram(
                        labels("job", "a"), 1L << 40, 0.3, List.of(new Bucket(0.1, 1), new Bucket(1, 300)), 99L))),
                new MetricFamily("queue_size", "Queue.", MetricType.GAUGE_HISTOGRAM, List.of(
                        Metric.histogram(List.of(), 4, 2, List.of(new Bucket(1, 3)), null))));
        List<Metrics.MetricFamily> decoded = decode(scrape(families, false));

        assertThat(decoded).extracting(Metrics.MetricFamily::getName).containsExactly(
                "requests_total", "temperature", "thing", "rpc_seconds", "lat_seconds", "queue_size");
        assertThat(decoded).extracting(Metrics.MetricFamily::hasHelp).containsExactly(
                true, false, true, true, true, true);
        assertThat(decoded).extracting(Metrics.MetricFamily::getType).containsExactly(
                Metrics.MetricType.COUNTER, Metrics.MetricType.GAUGE, Metrics.MetricType.UNTYPED,
                Metrics.MetricType.SUMMARY, Metrics.MetricType.HISTOGRAM, Metrics.MetricType.GAUGE_HISTOGRAM);

        Metrics.Metric counter = decoded.get(0).getMetric(0);
        assertThat(counter.getLabelList()).extracting(Metrics.LabelPair::getName, Metrics.LabelPair::getValue)
                .containsExactly(tuple("code", "200"),
                        tuple("path", "/ü"));
        assertThat(counter.getCounter().getValue()).isEqualTo(10);
        assertThat(counter.hasTimestampMs()).isFalse();

        Metrics.Metric gauge = decoded.get(1).getMetric(0);
        assertThat(gauge.getLabel(0).hasValue()).isTrue();
        assertThat(gauge.getGauge().getValue()).isEqualTo(-3.5);
        assertThat(gauge.getTimestampMs()).isEqualTo(1700000000123L);
        assertThat(decoded.get(2).getMetric(0).getUntyped().getValue()).isEqualTo(7);
        assertThat(decoded.get(2).getMetric(0).getTimestampMs()).isEqualTo(-5L);

        Metrics.Summary summary = decoded.get(3).getMetric(0).getSummary();
        assertThat(summary.getSampleCount()).isEqualTo(3);
        assertThat(summary.getSampleSum()).isEqualTo(4.5);
        assertThat(summary.getQuantileList()).extracting(Metrics.Quantile::getQuantile, Metrics.Quantile::getValue)
                .containsExactly(tuple(0.5, 1.0),
                        tuple(0.99, 2.0));

        Metrics.Metric histogramMetric = decoded.get(4).getMetric(0);
        Metrics.Histogram histogram = histogramMetric.getHistogram();
        assertThat(histogram.getSampleCount()).isEqualTo(1L << 40);
        assertThat(histogram.hasSampleCountFloat()).isFalse();
        assertThat(histogram.getSampleSum()).isEqualTo(0.3);
        assertThat(histogram.getBucketList()).extracting(Metrics.Bucket::getUpperBound, Metrics.Bucket::getCumulativeCount)
                .containsExactly(tuple(0.1, 1L),
                        tuple(1.0, 300L));
        assertThat(histogramMetric.getTimestampMs()).isEqualTo(99L);
        assertThat(decoded.get(5).getMetric(0).getHistogram().getBucket(0).getCumulativeCount()).isEqualTo(3);
    }

    /** Go's protobuf runtime writes fields in field-number order; so does protobuf-java. */
    @Test
    void fieldOrderMatchesTheProtobufRuntime() throws IOException {
        MetricFamily family = new MetricFamily("lat_seconds", "Latency.", MetricType.HISTOGRAM, List.of(
                Metric.histogram(labels("job", "a"), 9, 0.3, List.of(new Bucket(0.1, 1)), 1234L),
                Metric.histogram(labels("job", "b"), 2.5, 1, List.of(new Bucket(0.1, 0.5)), null)));
        byte[] ours = scrape(List.of(family), false);

        Metrics.MetricFamily expected = Metrics.MetricFamily.newBuilder()
                .setName("lat_seconds").setHelp("Latency.").setType(Metrics.MetricType.HISTOGRAM)
                .addMetric(Metrics.Metric.newBuilder()
                        .addLabel(Metrics.LabelPair.newBuilder().setName("job").setValue("a"))
                        .setTimestampMs(1234L)
                        .setHistogram(Metrics.Histogram.newBuilder().setSampleCount(9).setSampleSum(0.3)
                                .addBucket(Metrics.Bucket.newBuilder().setCumulativeCount(1).setUpperBound(0.1))))
                .addMetric(Metrics.Metric.newBuilder()
                        .addLabel(Metrics.LabelPair.newBuilder().setName("job").setValue("b"))
                        .setHistogram(Metrics.Histogram.newBuilder().setSampleCountFloat(2.5).setSampleSum(1)
                                .addBucket(Metrics.Bucket.newBuilder().setCumulativeCountFloat(0.5).setUpperBound(0.1))))
                .build();
        ByteArrayOutputStream reference = new ByteArrayOutputStream();
        expected.writeDelimitedTo(reference);
        assertThat(ours).isEqualTo(reference.toByteArray());
    }

    @Test
    void familySplitOverPartsIsOneMessage() throws IOException {
        MetricFamily family = new MetricFamily("jobs_total", "Jobs.", MetricType.COUNTER, List.of(
                Metric.simple(labels("job", "a"), 1, null), Metric.simple(labels("job", "b"), 2, null),
                Metric.simple(labels("job", "c"), 3, null)));
        byte[] split = scrape(List.of(family), true);

        assertThat(split).isEqualTo(scrape(List.of(family), false));
        List<Metrics.MetricFamily> decoded = decode(split);
        assertThat(decoded).hasSize(1);
        assertThat(decoded.get(0).getMetricList()).extracting(m -> m.getLabel(0).getValue(), m -> m.getCounter().getValue())
                .containsExactly(tuple("a", 1.0),
                        tuple("b", 2.0), tuple("c", 3.0));
    }

    @Test
    void largeFamilyHasAMultiByteLength() throws IOException {
        List<Metric> metrics = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            metrics.add(Metric.simple(labels("i", Integer.toString(i)), i, null));
        }
        MetricFamily family = new MetricFamily("many", "Many.", MetricType.GAUGE, metrics);
        List<Metrics.MetricFamily> decoded = decode(scrape(List.of(family), true));
        assertThat(decoded).hasSize(1);
        assertThat(decoded.get(0).getMetricCount()).isEqualTo(5000);
        assertThat(decoded.get(0).getMetric(4999).getGauge().getValue()).isEqualTo(4999);
    }

    @Test
    void pushedValueMessageIsServedVerbatim() throws IOException {
        Metrics.Metric pushed = Metrics.Metric.newBuilder()
                .setCounter(Metrics.Counter.newBuilder().setValue(42.5).setExemplar(Metrics.Exemplar.newBuilder()
                        .addLabel(Metrics.LabelPair.newBuilder().setName("trace_id").setValue("abc")).setValue(1.5)))
                .build();
        byte[] valueField = pushed.toByteArray(); // tag 3, length, Counter message
        Metric metric = new Metric(labels("instance", "", "job", "pb"), 42.5, 0, 0, null, null, null, valueField);
        MetricFamily family = new MetricFamily("pb_total", "PB.", MetricType.COUNTER, List.of(metric));

        Metrics.Metric served = decode(scrape(List.of(family), false)).get(0).getMetric(0);

        assertThat(served.getCounter()).isEqualTo(pushed.getCounter());
        assertThat(served.getCounter().getExemplar().getLabel(0).getValue()).isEqualTo("abc");
        assertThat(served.getLabelList()).extracting(Metrics.LabelPair::getName).containsExactly("instance", "job");
    }

    @Test
    void timestampGoesBetweenScalarValuesAndHistogram() throws IOException {
        Metrics.Metric reference = Metrics.Metric.newBuilder()
                .addLabel(Metrics.LabelPair.newBuilder().setName("a").setValue("b"))
                .setTimestampMs(77)
                .setHistogram(Metrics.Histogram.newBuilder().setSchema(3).setSampleCount(1).setZeroThreshold(0.001))
                .build();
        byte[] histogramField = reference.toBuilder().clearLabel().clearTimestampMs().build().toByteArray();
        Metric metric = new Metric(labels("a", "b"), 0, 1, 0, null, null, 77L, histogramField);
        MetricFamily family = new MetricFamily("native", null, MetricType.HISTOGRAM, List.of(metric));

        byte[] series = format.renderSeries(family);

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(4 << 3 | 2);
        expected.write(reference.getSerializedSize());
        reference.writeTo(expected);
        assertThat(series).isEqualTo(expected.toByteArray());

        Metrics.Metric gaugeReference = Metrics.Metric.newBuilder().setGauge(Metrics.Gauge.newBuilder().setValue(3))
                .setTimestampMs(77).build();
        byte[] gaugeField = gaugeReference.toBuilder().clearTimestampMs().build().toByteArray();
        byte[] gaugeSeries = format.renderSeries(new MetricFamily("g", null, MetricType.GAUGE,
                List.of(new Metric(List.of(), 3, 0, 0, null, null, 77L, gaugeField))));
        assertThat(Arrays.copyOfRange(gaugeSeries, 2, gaugeSeries.length))
                .isEqualTo(gaugeReference.toByteArray());
    }

    @Test
    void familyWithoutSeriesIsLeftOut() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        format.writeFamily("gone", "Gone.", MetricType.GAUGE, List.of(new byte[0]), out);
        format.writeEnd(out);
        assertThat(out.size()).isZero();
    }
}
