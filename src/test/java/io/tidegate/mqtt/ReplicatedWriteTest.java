package io.tidegate.mqtt;

import static io.tidegate.differential.ProtobufBodies.delimited;
import static io.tidegate.differential.ProtobufBodies.family;
import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;
import io.prometheus.metrics.shaded.com_google_protobuf_4_36_2.Timestamp;
import io.tidegate.store.WriteLimits;
import io.tidegate.TestClock;
import io.tidegate.differential.ProtobufBodies;
import io.tidegate.format.ParsedBody;
import io.tidegate.format.ProtobufBodyReader;
import io.tidegate.format.ProtobufFormat;
import io.tidegate.format.TextFormatParser;
import io.tidegate.format.WireFormat;
import io.tidegate.key.GroupingKey;
import io.tidegate.store.Source;
import io.tidegate.store.Store;
import io.tidegate.store.Ttls;
import io.tidegate.store.Verb;
import io.tidegate.store.WriteRequest;
import io.tidegate.telemetry.OwnMetrics;
import io.tidegate.ttl.ExpirySchedule;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A push replicated through the broker is, on the replica that applies it, the push the instance
 * that took it would have stored: the same scrape in every format, the same TTLs, push time and
 * deadlines, and the same group, whatever its key holds.
 */
class ReplicatedWriteTest {
    private static final Instant TAKEN = Instant.parse("2026-11-25T10:00:00Z");
    private static final TopicScheme TOPICS = new TopicScheme("metrics");
    private static final GroupingKey KEY = GroupingKey.of(Map.of("job", "sensor", "room", "kitchen"));

    private final TestClock clock = new TestClock(TAKEN);

    @Test
    void aTextPushTravelsAsTextAndScrapesIdenticallyWithItsTtlsAndTime() throws Exception {
        String body = """
                # HELP temperature_celsius Current \\\\ temperature,\\nsecond line.
                # TYPE temperature_celsius gauge
                temperature_celsius{probe="a \\"quoted\\" \\\\ b\\nc"} 21.5
                temperature_celsius{probe="nan"} NaN
                temperature_celsius{probe="inf"} +Inf
                temperature_celsius{probe="minf"} -Inf
                temperature_celsius{probe="tiny"} 4.9e-324
                temperature_celsius{probe="big"} 1.7976931348623157e+308
                #!set stale_timeout = 2.5
                # TYPE request_duration_seconds histogram
                request_duration_seconds_bucket{le="0.1"} 3
                request_duration_seconds_bucket{le="1"} 7
                request_duration_seconds_bucket{le="+Inf"} 9
                request_duration_seconds_sum 4.25
                request_duration_seconds_count 9
                #!set stale_timeout = null
                # HELP rpc_seconds RPC latency.
                # TYPE rpc_seconds summary
                rpc_seconds{quantile="0.5"} 0.05
                rpc_seconds{quantile="0.99"} NaN
                rpc_seconds_sum 12.5
                rpc_seconds_count 250
                # TYPE jobs_total counter
                jobs_total 1e+21
                untyped_thing{x=""} 3
                """;
        ParsedBody parsed = new TextFormatParser().parse(body);
        WriteRequest taken = new WriteRequest(KEY, Verb.PUT, parsed.families(),
                new Ttls(300_000, Map.of("request_duration_seconds", 2_500L, "rpc_seconds", 0L, "jobs_total", 0L,
                        "untyped_thing", 0L)),
                Source.http("10.0.0.7"));

        Publication publication = ReplicatedWrite.encode(TOPICS, taken, "tidegate-a", "id-1", TAKEN.toEpochMilli());

        assertThat(publication.contentType()).isEqualTo(ReplicatedWrite.TEXT_CONTENT_TYPE);
        assertThat(new String(publication.payload(), StandardCharsets.UTF_8)).contains("temperature_celsius{probe=\"inf\"} +Inf");
        assertThat(publication.expiryIntervalSeconds()).as("a family that never expires: the broker keeps it").isNull();
        WriteRequest applied = decode(publication);
        assertThat(applied.verb()).isEqualTo(Verb.PUT);
        assertThat(applied.ttls()).isEqualTo(taken.ttls());
        assertThat(applied.writtenAtMillis()).isEqualTo(TAKEN.toEpochMilli());
        assertThat(applied.source().replicaOrigin()).isEqualTo("tidegate-a");
        assertThat(applied.source().client()).isEqualTo("10.0.0.7");
        assertSameScrapes(taken, applied);
    }

    @Test
    void aProtobufPushTravelsAsProtobufWithWhatOnlyProtobufHolds() throws Exception {
        Metrics.Metric counter = Metrics.Metric.newBuilder()
                .addLabel(Metrics.LabelPair.newBuilder().setName("path").setValue("/x"))
                .setCounter(Metrics.Counter.newBuilder().setValue(42)
                        .setCreatedTimestamp(Timestamp.newBuilder().setSeconds(17).setNanos(3))
                        .setExemplar(Metrics.Exemplar.newBuilder()
                                .addLabel(Metrics.LabelPair.newBuilder().setName("trace_id").setValue("abc"))
                                .setValue(0.5)))
                .build();
        Metrics.Metric nativeHistogram = Metrics.Metric.newBuilder().setHistogram(Metrics.Histogram.newBuilder()
                .setSampleCount(12).setSampleSum(-4.5).setSchema(-3).setZeroThreshold(1e-128).setZeroCount(2)
                .addPositiveSpan(Metrics.BucketSpan.newBuilder().setOffset(0).setLength(1)).addPositiveDelta(3))
                .build();
        byte[] body = delimited(family("requests_total", "Requests.", Metrics.MetricType.COUNTER, counter),
                family("latency_seconds", "Latency.", Metrics.MetricType.GAUGE_HISTOGRAM, nativeHistogram));
        ParsedBody parsed = new ProtobufBodyReader().read(new ByteArrayInputStream(body), body.length);
        WriteRequest taken = new WriteRequest(KEY, Verb.POST, parsed.families(), Ttls.of(90_000), Source.http("10.0.0.8"));

        Publication publication = ReplicatedWrite.encode(TOPICS, taken, "tidegate-a", "id-2", TAKEN.toEpochMilli());

        assertThat(publication.contentType()).isEqualTo(ProtobufFormat.CONTENT_TYPE);
        assertThat(publication.expiryIntervalSeconds()).isEqualTo(90);
        WriteRequest applied = decode(publication);
        assertThat(applied.verb()).isEqualTo(Verb.POST);
        assertSameScrapes(taken, applied);
    }

    @Test
    void textThatWouldNotReadBackExactlyTravelsAsProtobuf() throws Exception {
        // the text format writes -0 as 0; a protobuf scrape would tell them apart
        ParsedBody parsed = new TextFormatParser().parse("temperature_celsius -0\n");
        WriteRequest taken = new WriteRequest(KEY, Verb.PUT, parsed.families(), Ttls.NEVER, Source.http("10.0.0.7"));

        Publication publication = ReplicatedWrite.encode(TOPICS, taken, "tidegate-a", "id-5", TAKEN.toEpochMilli());

        assertThat(publication.contentType()).isEqualTo(ProtobufFormat.CONTENT_TYPE);
        assertSameScrapes(taken, decode(publication));
    }

    @Test
    void aDeleteTravelsEmptyAndStaysADelete() {
        Publication publication = ReplicatedWrite.encode(TOPICS, WriteRequest.delete(KEY, Source.http("10.0.0.9")),
                "tidegate-b", "id-3", TAKEN.toEpochMilli());

        assertThat(publication.payload()).isEmpty();
        assertThat(publication.topic()).isEqualTo("metrics/job/sensor/room/kitchen");
        WriteRequest applied = decode(publication);
        assertThat(applied.verb()).isEqualTo(Verb.DELETE);
        assertThat(applied.key()).isEqualTo(KEY);
    }

    @Test
    void aWipeTravelsEmptyOnItsOwnTopicAndStaysAWipe() {
        Publication publication = ReplicatedWrite.encode(TOPICS, WriteRequest.wipe(Source.http("10.0.0.9")),
                "tidegate-b", "id-6", TAKEN.toEpochMilli());

        assertThat(publication.topic()).isEqualTo("metrics/tidegate/wipe");
        assertThat(publication.payload()).isEmpty();
        assertThat(publication.expiryIntervalSeconds()).as("queued for a replica that is away, whenever it is back")
                .isNull();
        assertThat(publication.userProperties()).containsEntry("verb", "WIPE").containsEntry("origin", "tidegate-b")
                .containsEntry("id", "id-6").doesNotContainKey("ttl");
        MqttMessage message = new MqttMessage(publication.topic(), publication.payload(), false, 1,
                publication.expiryIntervalSeconds(), publication.contentType(), publication.userProperties());
        assertThat(ReplicatedWrite.isReplicated(message)).isTrue();
        ReplicatedWrite.Decoded decoded = ReplicatedWrite.decode(message, null, 1 << 20, WriteLimits.DEFAULTS.body());
        assertThat(decoded.rejection()).isNull();
        assertThat(decoded.id()).isEqualTo("id-6");
        assertThat(decoded.request().verb()).isEqualTo(Verb.WIPE);
        assertThat(decoded.request().key()).isNull();
        assertThat(decoded.request().source().replicaOrigin()).isEqualTo("tidegate-b");
        assertThat(decoded.request().source().client()).isEqualTo("10.0.0.9");
    }

    @Test
    void aWipeOnAGroupsTopicAndAWriteOnTheWipeTopicAreRefused() {
        Map<String, String> wipe = Map.of("verb", "WIPE", "origin", "tidegate-b", "id", "id-7", "time", "1");
        Map<String, String> put = Map.of("verb", "PUT", "origin", "tidegate-b", "id", "id-8", "time", "1");

        ReplicatedWrite.Decoded onAGroup = ReplicatedWrite.decode(new MqttMessage("metrics/job/sensor", new byte[0],
                false, 1, null, null, wipe), GroupingKey.of(Map.of("job", "sensor")), 1 << 20, WriteLimits.DEFAULTS.body());
        ReplicatedWrite.Decoded onTheWipeTopic = ReplicatedWrite.decode(new MqttMessage("metrics/tidegate/wipe",
                "a 1\n".getBytes(StandardCharsets.UTF_8), false, 1, null, null, put), null, 1 << 20, WriteLimits.DEFAULTS.body());

        assertThat(onAGroup.rejection().reason()).isEqualTo(RejectReason.BAD_TOPIC);
        assertThat(onTheWipeTopic.rejection().reason()).isEqualTo(RejectReason.BAD_TOPIC);
        assertThat(onTheWipeTopic.rejection().message()).contains("takes only a WIPE");
    }

    @Test
    void theBrokerDropsAQueuedCopyOnceItsLongestTtlRanOut() throws Exception {
        ParsedBody parsed = new TextFormatParser().parse("a 1\nb 2\n");
        WriteRequest taken = new WriteRequest(KEY, Verb.PUT, parsed.families(), new Ttls(60_000, Map.of("b", 1_500L)),
                Source.http("10.0.0.7"));

        Publication publication = ReplicatedWrite.encode(TOPICS, taken, "tidegate-a", "id-4", TAKEN.toEpochMilli());

        assertThat(publication.expiryIntervalSeconds()).isEqualTo(60);
        assertThat(publication.userProperties()).containsEntry("ttl", "60").containsEntry("family-ttls", "b=1.5");
    }

    @Test
    void everyGroupingKeyHasOneTopicThatReadsBackToIt() {
        List<Map<String, String>> keys = List.of(
                Map.of("job", "backup", "instance", "db1"),
                Map.of("job", "a/b", "path", "/var/lib", "empty", ""),
                Map.of("job", "wild+card", "tag", "#1", "ctl", "line\nbreak", "uni", "Zürich ☃"),
                Map.of("job", "plain", "z", "last", "a", "first"));
        for (Map<String, String> labels : keys) {
            GroupingKey key = GroupingKey.of(labels);
            String topic = TOPICS.topicOf(key);
            assertThat(topic).doesNotContain("+", "#").startsWith("metrics/job");
            TopicScheme.Parsed parsed = TOPICS.parse(topic);
            assertThat(parsed.error()).isNull();
            assertThat(parsed.key()).as(topic).isEqualTo(key);
            assertThat(parsed.metricLevel()).isNull();
        }
        assertThat(TOPICS.topicOf(GroupingKey.of(Map.of("job", "plain", "z", "last", "a", "first"))))
                .isEqualTo("metrics/job/plain/a/first/z/last");
    }

    @Test
    void itsContentTypeSaysTextOrDelimitedProtobufByItsPrefix() throws Exception {
        WriteRequest taken = new WriteRequest(KEY, Verb.PUT, new TextFormatParser().parse("a 1\n").families(),
                new Ttls(60_000, Map.of()), Source.http("10.0.0.7"));
        Publication text = ReplicatedWrite.encode(TOPICS, taken, "tidegate-a", "id-5", TAKEN.toEpochMilli());
        byte[] protobuf = delimited(family("a", null, Metrics.MetricType.GAUGE, ProtobufBodies.gauge(1)));

        for (String type : new String[] {ReplicatedWrite.TEXT_CONTENT_TYPE, null, "", "TEXT/PLAIN", "text/plain ",
                "text/plain; version=1.0.0", "text/plainly"}) {
            assertThat(decodeAs(text, text.payload(), type).rejection()).as(type).isNull();
            assertThat(decodeAs(text, protobuf, type).rejection().reason()).as(type).isEqualTo(RejectReason.BAD_PAYLOAD);
        }
        for (String type : new String[] {ProtobufFormat.CONTENT_TYPE, "application/vnd.google.protobuf",
                "Application/Vnd.Google.Protobuf; encoding=text", "application/vnd.google.protobufs"}) {
            assertThat(decodeAs(text, protobuf, type).rejection()).as(type).isNull();
            assertThat(decodeAs(text, text.payload(), type).rejection().reason()).as(type)
                    .isEqualTo(RejectReason.BAD_PAYLOAD);
        }
        for (String type : new String[] {"application/json", "text/html", " ", ";", "text"}) {
            ReplicatedWrite.Decoded decoded = decodeAs(text, text.payload(), type);
            assertThat(decoded.rejection().reason()).as(type).isEqualTo(RejectReason.UNSUPPORTED_CONTENT_TYPE);
            assertThat(decoded.rejection().message()).as(type).isEqualTo("replicated write with content type \"" + type
                    + "\": expected text/plain; version=0.0.4 or " + ProtobufFormat.CONTENT_TYPE);
        }
    }

    private static ReplicatedWrite.Decoded decodeAs(Publication publication, byte[] payload, String contentType) {
        MqttMessage message = new MqttMessage(publication.topic(), payload, false, 1,
                publication.expiryIntervalSeconds(), contentType, publication.userProperties());
        return ReplicatedWrite.decode(message, KEY, 1 << 20, WriteLimits.DEFAULTS.body());
    }

    private WriteRequest decode(Publication publication) {
        TopicScheme.Parsed topic = TOPICS.parse(publication.topic());
        MqttMessage message = new MqttMessage(publication.topic(), publication.payload(), false, 1,
                publication.expiryIntervalSeconds(), publication.contentType(), publication.userProperties());
        assertThat(ReplicatedWrite.isReplicated(message)).isTrue();
        ReplicatedWrite.Decoded decoded = ReplicatedWrite.decode(message, topic.key(), 1 << 20, WriteLimits.DEFAULTS.body());
        assertThat(decoded.rejection()).isNull();
        return decoded.request();
    }

    /** The pushed write stored directly, and the replicated one applied a little later, scrape the same. */
    private void assertSameScrapes(WriteRequest taken, WriteRequest applied) throws Exception {
        Store direct = new Store(clock, true, new OwnMetrics()::typeOf, new ExpirySchedule());
        assertThat(direct.write(taken.writtenAt(TAKEN.toEpochMilli())).wasApplied()).isTrue();
        Store replica = new Store(clock, true, new OwnMetrics()::typeOf, new ExpirySchedule());
        clock.advance(Duration.ofMillis(700));
        assertThat(replica.write(applied).wasApplied()).isTrue();
        for (WireFormat format : WireFormat.values()) {
            assertThat(scrape(replica, format)).as(format.name()).isEqualTo(scrape(direct, format));
        }
        Map<String, Long> deadlines = new LinkedHashMap<>();
        direct.snapshot().groups().get(0).families().forEach((name, family) ->
                deadlines.put(name, family.deadlineMillis()));
        replica.snapshot().groups().get(0).families().forEach((name, family) ->
                assertThat(family.deadlineMillis()).as(name).isEqualTo(deadlines.get(name)));
    }

    private static byte[] scrape(Store store, WireFormat format) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.snapshot().scrape(format, List.of(), out);
        return out.toByteArray();
    }
}
