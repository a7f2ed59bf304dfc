package io.tidegate.mqtt;

import static io.tidegate.TestKeys.key;
import static io.tidegate.mqtt.Publish.live;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.tidegate.ttl.TtlRules;
import io.tidegate.key.GroupingKey;
import io.tidegate.store.Group;
import io.tidegate.store.StoredFamily;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of unusable message is dropped with its reason, counted, kept as its topic's last
 * rejection, and leaves the group as it was (SPEC §4, §7).
 */
class MqttIngestRejectionTest {
    private static final GroupingKey SENSOR = key("job", "sensor");

    private final IngestFixture gateway = new IngestFixture();

    @BeforeEach
    void sensorHasAValue() {
        gateway.publish(live("metrics/job/sensor", "temp 21\n"));
    }

    /** The message was rejected for that reason with a message containing that text, and nothing changed. */
    private void assertRejected(Publish publish, RejectReason reason, String messageContains) {
        String topic = publish.message().topic();
        double before = gateway.rejected(reason);
        int groups = gateway.store.snapshot().groups().size();

        gateway.publish(publish);

        MqttRejection rejection = gateway.lastRejection(topic.length() > RejectionLog.MAX_TEXT_LENGTH
                ? topic.substring(0, RejectionLog.MAX_TEXT_LENGTH) + "..." : topic);
        assertThat(rejection).as("last rejection of " + topic).isNotNull();
        assertThat(rejection.reason()).isEqualTo(reason);
        assertThat(rejection.message()).contains(messageContains);
        assertThat(rejection.time()).isEqualTo(gateway.now());
        assertThat(gateway.rejected(reason)).isEqualTo(before + 1);
        assertThat(gateway.value(SENSOR, "temp")).isEqualTo(21);
        assertThat(gateway.store.snapshot().groups()).hasSize(groups);
    }

    /** What is wrong, the topic, the payload, and what the rejection says. */
    static Stream<Arguments> badTopics() {
        return Stream.of(
                arguments("another prefix", "other/job/sensor", "temp 1\n", "topic is not under metrics/"),
                arguments("a longer first level", "metricsx/job/sensor", "temp 1\n", "topic is not under metrics/"),
                arguments("no job level", "metrics/sensor/x", "temp 1\n",
                        "topic must start with metrics/job/ or metrics/job@base64/"),
                arguments("jobs, not job", "metrics/jobs/sensor", "temp 1\n",
                        "topic must start with metrics/job/ or metrics/job@base64/"),
                arguments("nothing after job", "metrics/job", "temp 1\n", "topic has no job level after metrics/job"),
                arguments("nothing after job@base64", "metrics/job@base64", "temp 1\n",
                        "topic has no job level after metrics/job@base64"),
                arguments("empty job", "metrics/job/", "temp 1\n", "job name is required"),
                arguments("empty job before labels", "metrics/job//room/kitchen", "temp 1\n", "job name is required"),
                arguments("empty base64 job", "metrics/job@base64/=", "temp 1\n", "job name is required"),
                arguments("reserved label name", "metrics/job/sensor/__room/kitchen", "temp 1\n",
                        "improper label name \"__room\""),
                arguments("label name with a leading digit", "metrics/job/sensor/1room/kitchen", "temp 1\n",
                        "improper label name \"1room\""),
                arguments("bad base64 label value", "metrics/job/sensor/x@base64/ab$d", "temp 1\n",
                        "invalid base64 encoding for label x=\"ab$d\": illegal base64 data at input byte 2"),
                arguments("bad base64 job", "metrics/job@base64/a+b", "temp 1\n",
                        "invalid base64 encoding in job name \"\": illegal base64 data at input byte 1"),
                arguments("lone surrogate", "metrics/job/sensor/room/\uD800", "temp 1\n", "topic is not valid UTF-8"),
                arguments("zero character", "metrics/job/sensor/room/a\u0000b", "temp 1\n", "topic is not valid UTF-8"),
                arguments("metric level with text", "metrics/job/sensor/temp", "temp 1\n",
                        "names the metric of a single-number payload, but the payload is Prometheus text"),
                arguments("metric level with JSON", "metrics/job/sensor/temp", "{\"temp\": 1}", "the payload is JSON"),
                arguments("metric level with a decimal comma", "metrics/job/sensor/temp", "21,5",
                        "the payload is Prometheus text"),
                arguments("metric level with a hexadecimal number", "metrics/job/sensor/temp", "0x15",
                        "the payload is Prometheus text"),
                arguments("number without metric level", "metrics/job/sensor", "21.5",
                        "a single-number payload needs a topic ending in its metric name"),
                arguments("empty metric level", "metrics/job/sensor/room/kitchen/", "21.5",
                        "the topic's metric level is empty"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTopics")
    void badTopicIsRejected(String what, String topic, String payload, String message) {
        assertRejected(live(topic, payload), RejectReason.BAD_TOPIC, message);
    }

    /** Finding: a number a double cannot hold read as text, and was blamed on the topic (bad_topic). */
    @Test
    void aNumberOutOfRangeOnAMetricTopicIsABadPayloadNotABadTopic() {
        assertRejected(live("metrics/job/sensor/temp", "1e999"), RejectReason.BAD_PAYLOAD,
                "the payload \"1e999\" is a number out of the range of a 64-bit float");
        assertRejected(live("metrics/job/sensor/temp", " -2.5E+400\n"), RejectReason.BAD_PAYLOAD,
                "the payload \"-2.5E+400\" is a number out of the range of a 64-bit float");
        assertRejected(live("metrics/job/sensor/temp", "1" + "0".repeat(400)), RejectReason.BAD_PAYLOAD,
                "is a number out of the range of a 64-bit float");
    }

    @Test
    void aNumberWrittenLongerThanNeededOnAMetricTopicIsStillTheNumber() {
        gateway.publish(live("metrics/job/sensor/temp", "0".repeat(300) + "21.5" + "0".repeat(300)));

        assertThat(gateway.value(key("job", "sensor"), "temp")).isEqualTo(21.5);
    }

    @Test
    void textThatDoesNotParseIsRejectedWithTheParsersMessage() {
        assertRejected(live("metrics/job/sensor", "temp twenty\n"), RejectReason.BAD_PAYLOAD,
                "text format parsing error in line 1: expected float as value, got \"twenty\"");
    }

    @Test
    void textWithTimestampsIsRejectedByTheStoreAsInHttp() {
        assertRejected(live("metrics/job/sensor", "temp 22 1700000000000\n"), RejectReason.INCONSISTENT, "timestamp");
    }

    @Test
    void badJsonIsRejected() {
        assertRejected(live("metrics/job/sensor", "{\"temp\": 22,}"), RejectReason.BAD_PAYLOAD,
                "invalid JSON: Expected name at line 1 column 14 path $.temp");
        assertRejected(live("metrics/job/sensor", "{\"temp\": 22} {}"), RejectReason.BAD_PAYLOAD,
                "invalid JSON: malformed JSON at line 1 column 15 path $");
        assertRejected(live("metrics/job/sensor", "{\"temp\": NaN}"), RejectReason.BAD_PAYLOAD, "invalid JSON");
        assertRejected(live("metrics/job/sensor", "{\"temp\": 22"), RejectReason.BAD_PAYLOAD, "invalid JSON");
    }

    @Test
    void jsonWithoutNumbersIsRejected() {
        assertRejected(live("metrics/job/sensor", "{\"mode\": \"eco\", \"list\": [1, 2]}"), RejectReason.BAD_PAYLOAD,
                "JSON payload has no number or boolean");
    }

    @Test
    void jsonThatIsNotAnObjectIsRejected() {
        assertRejected(live("metrics/job/sensor", "[1, 2]").contentType("application/json"), RejectReason.BAD_PAYLOAD,
                "JSON payload must be an object, not an array");
    }

    @Test
    void jsonNamesThatCollideAfterSanitisingAreRejected() {
        assertRejected(live("metrics/job/sensor", "{\"a-b\": 1, \"a_b\": 2}"), RejectReason.BAD_PAYLOAD,
                "JSON values at $.a-b and $.a_b both make the metric name a_b");
    }

    @Test
    void payloadThatIsNotUtf8IsRejected() {
        byte[] latin1 = "temp{room=\"K\u00fcche\"} 1\n".getBytes(StandardCharsets.ISO_8859_1);

        assertRejected(live("metrics/job/sensor", latin1), RejectReason.BAD_PAYLOAD, "payload is not valid UTF-8");
    }

    @Test
    void payloadOverTheLimitIsRejectedUnread() {
        IngestFixture small = new IngestFixture(RetainedMode.APPLY, 10, Duration.ZERO, Duration.ZERO, 16, "metrics");
        byte[] garbage = new byte[17];
        Arrays.fill(garbage, (byte) 0xff);

        small.publish(live("metrics/job/sensor", garbage));
        small.publish(live("metrics/job/sensor", "exactly_16_b 1\n"));

        assertThat(small.rejected(RejectReason.TOO_LARGE)).isEqualTo(1);
        assertThat(small.rejected(RejectReason.BAD_PAYLOAD)).isZero();
        assertThat(small.lastRejection("metrics/job/sensor").message())
                .isEqualTo("payload of 17 bytes exceeds the limit of 16 bytes (--mqtt.max-payload-size)");
        assertThat(small.value(SENSOR, "exactly_16_b")).isEqualTo(1);
    }

    @Test
    void malformedTtlPropertyIsRejected() {
        assertRejected(live("metrics/job/sensor", "temp 1\n").property("ttl", "5 minutes"), RejectReason.BAD_TTL,
                "invalid ttl user property: invalid duration \"5 minutes\"");
        assertRejected(live("metrics/job/sensor", "temp 1\n").property("ttl", "-5"), RejectReason.BAD_TTL,
                "invalid ttl user property");
    }

    @Test
    void malformedTtlPropertyIsRejectedEvenBesideAnExpiryInterval() {
        assertRejected(live("metrics/job/sensor", "temp 1\n").expiry(60).property("ttl", "soon"), RejectReason.BAD_TTL,
                "invalid ttl user property");
    }

    @Test
    void negativeExpiryIntervalIsRejected() {
        assertRejected(live("metrics/job/sensor", "temp 1\n").expiry(-1), RejectReason.BAD_TTL,
                "negative message expiry interval");
    }

    @Test
    void unsupportedContentTypeIsRejected() {
        assertRejected(live("metrics/job/sensor", "temp 1\n").contentType("application/xml"),
                RejectReason.UNSUPPORTED_CONTENT_TYPE, "unsupported content type \"application/xml\"");
        assertRejected(live("metrics/job/sensor", "temp 1\n").contentType("text/plain; version=1.0.0"),
                RejectReason.UNSUPPORTED_CONTENT_TYPE, "unsupported content type");
        assertRejected(live("metrics/job/sensor", "{\"temp\": 1}").contentType("application/json; charset=latin1"),
                RejectReason.UNSUPPORTED_CONTENT_TYPE, "unsupported content type");
    }

    @Test
    void messageInconsistentWithStoredGroupsIsRejected() {
        gateway.publish(live("metrics/job/backup", "# TYPE files counter\nfiles 12\n"));

        assertRejected(live("metrics/job/sensor", "# TYPE files gauge\nfiles 3\n"), RejectReason.INCONSISTENT,
                "files");
        assertThat(gateway.value(key("job", "backup"), "files")).isEqualTo(12);
    }

    @Test
    void rejectedWriteRecordsThePushFailureTimeAsHttpDoes() {
        gateway.publish(live("metrics/job/backup", "# TYPE files counter\nfiles 12\n"));
        gateway.advance(Duration.ofSeconds(1));

        gateway.publish(live("metrics/job/sensor", "# TYPE files gauge\nfiles 3\n"));

        assertThat(gateway.group(SENSOR).lastPushSuccessful()).isFalse();
    }

    @Test
    void aRefusedMessageForANewTopicStartsNoClock() {
        gateway.publish(live("metrics/job/backup", "# TYPE files counter\nfiles 12\n"));
        GroupingKey attic = key("job", "probe", "room", "attic");

        // an explicit type that conflicts: a payload without one would take the stored counter
        gateway.publish(live("metrics/job/probe/room/attic", "# TYPE files gauge\nfiles 3\n").expiry(60));

        Group refused = gateway.group(attic);
        assertThat(refused.lastPushSuccessful()).isFalse();
        assertThat(refused.hasDeadline()).as("a refusal starts no clock").isFalse();
        assertThat(refused.families()).containsOnlyKeys("push_failure_time_seconds", "push_time_seconds");
        assertThat(gateway.value(attic, "push_time_seconds")).isZero();
        assertThat(gateway.store.nextExpiryMillis()).as("nothing to expire").isEqualTo(StoredFamily.NEVER);
        gateway.advance(Duration.ofHours(1));
        assertThat(gateway.group(attic)).as("still refused and never pushed, not expired").isNotNull();
    }

    @Test
    void failureOfTidegateItselfIsCaughtAndCounted() {
        gateway.rules.set(null); // the resolver then fails on a null rule set: a bug, not a publisher's fault

        assertThatCode(() -> gateway.publish(live("metrics/job/sensor", "temp 30\n"))).doesNotThrowAnyException();

        assertThat(gateway.rejected(RejectReason.INTERNAL_ERROR)).isEqualTo(1);
        assertThat(gateway.lastRejection("metrics/job/sensor").message()).contains("NullPointerException");
        gateway.rules.set(TtlRules.none());
        gateway.publish(live("metrics/job/sensor", "temp 31\n"));
        assertThat(gateway.value(SENSOR, "temp")).isEqualTo(31);
    }

    @Test
    void everyMessageCountsAsReceivedAndEndsAppliedRejectedOrSkipped() {
        gateway.publish(live("metrics/job/sensor", "temp 22\n"));
        gateway.publish(live("metrics/job/sensor", "temp x\n"));
        gateway.publish(live("elsewhere", "temp 1\n"));
        gateway.publish(Publish.retained("metrics/job/sensor", "temp 22\n"));

        assertThat(gateway.counter("tidegate_mqtt_messages_received_total")).isEqualTo(5);
        assertThat(gateway.counter("tidegate_mqtt_messages_applied_total")).isEqualTo(2);
        assertThat(gateway.rejected(RejectReason.BAD_PAYLOAD)).isEqualTo(1);
        assertThat(gateway.rejected(RejectReason.BAD_TOPIC)).isEqualTo(1);
        assertThat(gateway.skipped(SkipReason.RETAINED_SEEN)).isEqualTo(1);
        assertThat(gateway.rejected(RejectReason.INCONSISTENT)).isZero();
        assertThat(gateway.skipped(SkipReason.RETAINED_UNSEEN)).isZero();
    }

    @Test
    void mqttCountersCannotBeTakenOverByAPushOfAnotherType() {
        gateway.publish(live("metrics/job/sensor", "tidegate_mqtt_messages_received_total 1\n"));

        assertThat(gateway.lastRejection("metrics/job/sensor").reason()).isEqualTo(RejectReason.INCONSISTENT);
    }

    @Test
    void rejectionsAreListedNewestFirstOnePerTopic() {
        gateway.publish(live("metrics/job/a", "x y\n"));
        gateway.advance(Duration.ofSeconds(1));
        gateway.publish(live("metrics/job/b", "x y\n"));
        gateway.advance(Duration.ofSeconds(1));
        gateway.publish(live("metrics/job/a", "{}"));

        assertThat(gateway.ingest.rejections()).extracting(MqttRejection::topic).containsExactly("metrics/job/a", "metrics/job/b");
        assertThat(gateway.ingest.rejections().get(0).message()).contains("no number or boolean");
    }

    @Test
    void userPropertiesOtherThanTtlAreIgnored() {
        gateway.publish(live("metrics/job/sensor", "temp 23\n").property("device", "x").property("TTL", "junk"));

        assertThat(gateway.value(SENSOR, "temp")).isEqualTo(23);
        assertThat(gateway.ingest.rejections()).isEmpty();
    }
}
