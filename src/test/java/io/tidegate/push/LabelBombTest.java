package io.tidegate.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;
import io.tidegate.TestClock;
import io.tidegate.differential.ProtobufBodies;
import io.tidegate.store.Store;
import io.tidegate.store.WriteLimits;
import io.tidegate.ttl.ExpirySchedule;
import io.tidegate.ttl.TtlResolver;
import io.tidegate.ttl.TtlRules;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * SPEC §7, "no input makes a request cost more than linear time in its size": label bombs, pushed
 * through the HTTP push adapter into a store with the default limits, are answered with the bound they
 * pass, and nothing is stored. Before the parsers stopped at the label limit and looked duplicate label
 * names up in a set, one series of 100,000 labels took 14.6 s and one of 1,000,000 ran for many minutes;
 * the bounds below (20 s for a body of a million labels) are far above what a linear parse takes on a
 * loaded machine (under a second) and far below what a quadratic one did.
 */
class LabelBombTest {
    private static final long MAX_BODY_BYTES = 32L << 20; // --push.max-body-size
    private static final Duration LINEAR_BOUND = Duration.ofSeconds(20);
    private static final String TEXT = "text/plain; version=0.0.4";
    private static final String TOO_MANY_LABELS =
            "a series of \"x\" has more than 64 labels (--push.max-labels-per-series)";

    private final TtlResolver ttls = new TtlResolver(TtlRules::none, Duration.ZERO, Duration.ZERO);
    private Store store = new Store(new TestClock(Instant.parse("2026-11-25T10:00:00Z")), true, name -> null,
            new ExpirySchedule());

    private PushAnswer push(String contentType, byte[] body) {
        PushHandler handler = new PushHandler(store, ttls, new PushBody(MAX_BODY_BYTES, store.bodyLimits()), true,
                "/metrics/");
        return assertTimeoutPreemptively(LINEAR_BOUND, () -> handler.handle(TestPushRequest.put("/metrics/job/bomb", contentType, body)));
    }

    private void assertRefused(PushAnswer answer, int status, String message) {
        assertThat(answer.status()).as(answer.text()).isEqualTo(status);
        assertThat(answer.text()).isEqualTo(message);
        assertThat(store.snapshot().groups()).as("nothing stored, not even a failure time").isEmpty();
    }

    /** {@code x{l0="v",l1="v",...} 1} with {@code labels} labels, then {@code y 1}. */
    private static byte[] textSeries(int labels, String lastName) {
        StringBuilder body = new StringBuilder(labels * 12).append("x{");
        for (int i = 0; i < labels; i++) {
            body.append(i == labels - 1 && lastName != null ? lastName : "l" + i).append("=\"v\",");
        }
        return body.append("} 1\ny 1\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] protobufSeries(int labels, String lastName) {
        String[] pairs = new String[2 * labels];
        for (int i = 0; i < labels; i++) {
            pairs[2 * i] = i == labels - 1 && lastName != null ? lastName : "l" + i;
            pairs[2 * i + 1] = "v";
        }
        return ProtobufBodies.delimited(ProtobufBodies.family("x", null, Metrics.MetricType.GAUGE,
                ProtobufBodies.gauge(1, pairs)));
    }

    @Test
    void oneSeriesOfAHundredThousandLabelsIsRefusedAtTheLabelLimit() {
        assertRefused(push(TEXT, textSeries(100_000, null)), 400, TOO_MANY_LABELS);
        assertRefused(push(ProtobufBodies.CONTENT_TYPE, protobufSeries(100_000, null)), 400, TOO_MANY_LABELS);
    }

    @Test
    void oneSeriesOfAMillionLabelsIsRefusedAtTheLabelLimit() {
        byte[] text = textSeries(1_000_000, null);
        assertThat(text.length).as("under --push.max-body-size").isLessThan((int) MAX_BODY_BYTES);
        assertRefused(push(TEXT, text), 400, TOO_MANY_LABELS);
        assertRefused(push(ProtobufBodies.CONTENT_TYPE, protobufSeries(1_000_000, null)), 400, TOO_MANY_LABELS);
    }

    @Test
    void aSeriesWithinTheLabelLimitIsStoredAndOneLabelMoreIsRefused() {
        // job and instance come from the key and the gateway: 62 of the body's make 64
        assertThat(push(TEXT, textSeries(62, null)).status()).isEqualTo(200);
        store = new Store(new TestClock(Instant.parse("2026-11-25T10:00:00Z")), true, name -> null,
                new ExpirySchedule());
        assertRefused(push(TEXT, textSeries(63, null)), 400,
                "a series of \"x\" has 65 labels, more than 64 (--push.max-labels-per-series)");
        assertRefused(push(TEXT, textSeries(65, null)), 400, TOO_MANY_LABELS);
        assertRefused(push(ProtobufBodies.CONTENT_TYPE, protobufSeries(65, null)), 400, TOO_MANY_LABELS);
    }

    @Test
    void aLabelValueOfTenMegabytesIsRefusedAtTheValueLimit() {
        char[] value = new char[10_000_000];
        Arrays.fill(value, 'v');
        String message = "the value of label \"a\" in the series of \"x\" has 10000000 characters, more than 16384 "
                + "(--push.max-label-value-length)";
        assertRefused(push(TEXT, ("x{a=\"" + new String(value) + "\"} 1\n").getBytes(StandardCharsets.UTF_8)), 400,
                message);
        assertRefused(push(ProtobufBodies.CONTENT_TYPE, ProtobufBodies.delimited(ProtobufBodies.family("x", null,
                Metrics.MetricType.GAUGE, ProtobufBodies.gauge(1, "a", new String(value))))), 400, message);
    }

    @Test
    void aLongLabelNameIsRefusedAtTheNameLimit() {
        String name = "n".repeat(2_000_000);
        String message = "a label name in the series of \"x\" has 2000000 characters, more than 1024 "
                + "(--push.max-label-name-length): \"" + "n".repeat(64) + "...\"";
        assertRefused(push(TEXT, ("x{" + name + "=\"v\"} 1\n").getBytes(StandardCharsets.UTF_8)), 400, message);
        assertRefused(push(ProtobufBodies.CONTENT_TYPE, ProtobufBodies.delimited(ProtobufBodies.family("x", null,
                Metrics.MetricType.GAUGE, ProtobufBodies.gauge(1, name, "v")))), 400, message);
    }

    @Test
    void twoHundredThousandSeriesOfAFewLabelsAreRefusedAtTheSeriesLimit() {
        StringBuilder text = new StringBuilder();
        Metrics.MetricFamily.Builder family = Metrics.MetricFamily.newBuilder().setName("x")
                .setType(Metrics.MetricType.GAUGE);
        for (int i = 0; i < 200_000; i++) {
            text.append("x{a=\"").append(i).append("\",b=\"b\",c=\"c\"} 1\n");
            family.addMetric(ProtobufBodies.gauge(1, "a", Integer.toString(i), "b", "b", "c", "c"));
        }
        String message = "the push has more than 10000 series (--push.max-series)";
        assertRefused(push(TEXT, text.toString().getBytes(StandardCharsets.UTF_8)), 413, message);
        assertRefused(push(ProtobufBodies.CONTENT_TYPE, ProtobufBodies.delimited(family.build())), 413, message);
    }

    /** With the label limit lifted, what is left is the duplicate check and the merge with the key: linear too. */
    @Test
    void withoutALabelLimitAMillionLabelsAreCheckedForDuplicatesInLinearTime() {
        store = new Store(new TestClock(Instant.parse("2026-11-25T10:00:00Z")), true, name -> null, 0,
                new WriteLimits(10_000, Integer.MAX_VALUE, 1024, 16_384, 10, 0), new ExpirySchedule());
        assertRefused(push(TEXT, textSeries(1_000_000, "l0")), 400,
                "text format parsing error in line 1: duplicate label names for metric \"x\"");
        // protobuf has no order to find the duplicate by: the store finds it among the sorted labels
        PushAnswer answer = push(ProtobufBodies.CONTENT_TYPE, protobufSeries(1_000_000, "l0"));
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.text()).startsWith("pushed metrics are invalid or inconsistent with existing metrics: "
                + "collected metric \"x\" {").endsWith("has two or more labels with the same name: l0");
        assertThat(store.snapshot().groups()).hasSize(1); // the store's refusal leaves a failure time, as upstream
    }

    @Test
    void withoutALabelLimitASeriesOfTwoHundredThousandLabelsIsStored() {
        store = new Store(new TestClock(Instant.parse("2026-11-25T10:00:00Z")), true, name -> null, 0,
                new WriteLimits(10_000, Integer.MAX_VALUE, 1024, 16_384, 10, 0), new ExpirySchedule());
        assertThat(push(TEXT, textSeries(200_000, null)).status()).isEqualTo(200);
        assertThat(push(ProtobufBodies.CONTENT_TYPE, protobufSeries(200_000, null)).status()).isEqualTo(200);
        assertThat(store.snapshot().groups()).hasSize(1);
    }
}
