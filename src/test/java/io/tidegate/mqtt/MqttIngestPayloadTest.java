package io.tidegate.mqtt;

import static io.tidegate.TestKeys.key;
import static io.tidegate.mqtt.Publish.live;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.format.Label;
import io.tidegate.format.MetricType;
import io.tidegate.store.Source;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What each kind of payload writes, and how the topic names the group (SPEC §4). */
class MqttIngestPayloadTest {
    private final IngestFixture gateway = new IngestFixture();

    @Test
    void textPayloadReplacesTheWholeGroupLikeAnHttpPut() {
        gateway.publish(live("metrics/job/backup/instance/db1", "# TYPE files counter\nfiles 12\nbytes 3000\n"));
        gateway.publish(live("metrics/job/backup/instance/db1", "bytes 4000\n"));

        assertThat(gateway.group(key("job", "backup", "instance", "db1")).families().keySet())
                .containsExactlyInAnyOrder("bytes", "push_time_seconds", "push_failure_time_seconds");
        assertThat(gateway.value(key("job", "backup", "instance", "db1"), "bytes")).isEqualTo(4000);
    }

    @Test
    void textPayloadKeepsItsTypesHelpAndLabels() {
        gateway.publish(live("metrics/job/backup", "# HELP files Files copied.\n# TYPE files counter\nfiles{disk=\"a\"} 12\n"));

        var family = gateway.stored(key("job", "backup"), "files").family();
        assertThat(family.type()).isEqualTo(MetricType.COUNTER);
        assertThat(family.help()).isEqualTo("Files copied.");
        assertThat(family.metrics().get(0).labels())
                .containsExactly(new Label("disk", "a"), new Label("instance", ""), new Label("job", "backup"));
    }

    @Test
    void textPayloadWithoutFinalNewlineIsAccepted() {
        gateway.publish(live("metrics/job/backup", "files 12"));

        assertThat(gateway.value(key("job", "backup"), "files")).isEqualTo(12);
    }

    @Test
    void jsonLeavesBecomeGaugesNamedByTheirPath() {
        gateway.publish(live("metrics/job/sensor/room/kitchen",
                "{\"temp\": 21.5, \"battery\": {\"level\": 87, \"low\": false}, \"mode\": \"eco\", \"on\": true}"));

        var kitchen = key("job", "sensor", "room", "kitchen");
        assertThat(gateway.value(kitchen, "temp")).isEqualTo(21.5);
        assertThat(gateway.value(kitchen, "battery_level")).isEqualTo(87);
        assertThat(gateway.value(kitchen, "battery_low")).isZero();
        assertThat(gateway.value(kitchen, "on")).isEqualTo(1);
        assertThat(gateway.stored(kitchen, "temp").family().type()).isEqualTo(MetricType.GAUGE);
        assertThat(gateway.group(kitchen).families()).doesNotContainKey("mode");
    }

    @Test
    void jsonPayloadReplacesTheWholeGroup() {
        gateway.publish(live("metrics/job/sensor", "{\"temp\": 21.5, \"humidity\": 40}"));
        gateway.publish(live("metrics/job/sensor", "{\"temp\": 22}"));

        assertThat(gateway.group(key("job", "sensor")).families()).doesNotContainKey("humidity");
        assertThat(gateway.value(key("job", "sensor"), "temp")).isEqualTo(22);
    }

    @Test
    void singleNumberIsAGaugeNamedByTheLevelAfterTheLastLabelPair() {
        gateway.publish(live("metrics/job/sensor/room/kitchen/temperature_celsius", "21.5"));

        var kitchen = key("job", "sensor", "room", "kitchen");
        assertThat(gateway.value(kitchen, "temperature_celsius")).isEqualTo(21.5);
        assertThat(gateway.stored(kitchen, "temperature_celsius").family().type()).isEqualTo(MetricType.GAUGE);
    }

    @Test
    void singleNumbersAreReadAsPrometheusReadsThem() {
        String[] payloads = {"21.5", "-3", "1e3", "NaN", "+Inf", "-inf", " 7\n", ".5"};
        double[] values = {21.5, -3, 1000, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 7, 0.5};
        for (int i = 0; i < payloads.length; i++) {
            gateway.publish(live("metrics/job/sensor/reading" + i, payloads[i]));

            assertThat(gateway.value(key("job", "sensor"), "reading" + i)).as(payloads[i]).isEqualTo(Double.valueOf(values[i]));
        }
    }

    @Test
    void numberTopicsOfOneGroupEachReplaceOnlyTheirOwnFamily() {
        gateway.publish(live("metrics/job/sensor/room/kitchen/temperature_celsius", "21.5"));
        gateway.publish(live("metrics/job/sensor/room/kitchen/humidity_percent", "40"));
        gateway.publish(live("metrics/job/sensor/room/kitchen/temperature_celsius", "22"));

        var kitchen = key("job", "sensor", "room", "kitchen");
        assertThat(gateway.value(kitchen, "temperature_celsius")).isEqualTo(22);
        assertThat(gateway.value(kitchen, "humidity_percent")).isEqualTo(40);
    }

    @Test
    void numberTopicLevelIsMadeAValidMetricName() {
        gateway.publish(live("metrics/job/sensor/temperature-celsius", "21.5"));
        gateway.publish(live("metrics/job/sensor/2nd.reading", "3"));

        assertThat(gateway.value(key("job", "sensor"), "temperature_celsius")).isEqualTo(21.5);
        assertThat(gateway.value(key("job", "sensor"), "_2nd_reading")).isEqualTo(3);
    }

    @Test
    void aTextOrJsonMessageReplacesTheFamiliesNumberTopicsWrote() {
        gateway.publish(live("metrics/job/sensor/temperature_celsius", "21.5"));
        gateway.publish(live("metrics/job/sensor", "{\"humidity\": 40}"));

        assertThat(gateway.group(key("job", "sensor")).families()).doesNotContainKey("temperature_celsius");
    }

    @Test
    void emptyPayloadDeletesTheGroup() {
        gateway.publish(live("metrics/job/sensor/room/kitchen", "{\"temp\": 21.5}"));
        gateway.publish(live("metrics/job/sensor/room/kitchen", ""));

        assertThat(gateway.store.snapshot().groups()).isEmpty();
        assertThat(gateway.counter("tidegate_mqtt_messages_applied_total")).isEqualTo(2);
    }

    @Test
    void emptyPayloadOnANumberTopicDeletesItsGroup() {
        gateway.publish(live("metrics/job/sensor/temperature_celsius", "21.5"));
        gateway.publish(live("metrics/job/sensor/humidity_percent", "40"));
        gateway.publish(live("metrics/job/sensor/temperature_celsius", ""));

        assertThat(gateway.store.snapshot().groups()).isEmpty();
    }

    @Test
    void emptyPayloadForAnUnknownGroupIsFine() {
        gateway.publish(live("metrics/job/never", ""));

        assertThat(gateway.store.snapshot().groups()).isEmpty();
        assertThat(gateway.counter("tidegate_mqtt_messages_applied_total")).isEqualTo(1);
    }

    @Test
    void base64LevelsWorkAsInHttp() {
        gateway.publish(live("metrics/job@base64/Zm9vL2Jhcg/path@base64/L3Zhci90bXA=/empty@base64/=", "x 1\n"));

        assertThat(gateway.value(key("job", "foo/bar", "path", "/var/tmp", "empty", ""), "x")).isEqualTo(1);
    }

    @Test
    void labelsInTheTopicNeverOverrideTheJob() {
        gateway.publish(live("metrics/job/a/job/b", "x 1\n"));

        assertThat(gateway.value(key("job", "a"), "x")).isEqualTo(1);
    }

    @Test
    void prefixMayHaveSeveralLevels() {
        IngestFixture site = new IngestFixture(RetainedMode.APPLY, 10, Duration.ZERO, Duration.ZERO,
                MqttIngest.DEFAULT_MAX_PAYLOAD_BYTES, "site1/metrics/");

        site.publish(live("site1/metrics/job/sensor/temperature", "3"));
        site.publish(live("metrics/job/sensor/temperature", "4"));

        assertThat(site.value(key("job", "sensor"), "temperature")).isEqualTo(3);
        assertThat(site.rejected(RejectReason.BAD_TOPIC)).isEqualTo(1);
        assertThat(site.ingest.topicFilters()).containsExactly("site1/metrics/job/#", "site1/metrics/job@base64/#");
    }

    @Test
    void groupRemembersItCameOverMqttFromItsTopic() {
        gateway.publish(live("metrics/job/sensor/room/kitchen", "x 1\n"));

        assertThat(gateway.group(key("job", "sensor", "room", "kitchen")).source())
                .isEqualTo(Source.mqtt("metrics/job/sensor/room/kitchen"));
    }

    @Test
    void withoutContentTypeAPayloadIsSniffed() {
        gateway.publish(live("metrics/job/json", "  \n{\"a\": 1}"));
        gateway.publish(live("metrics/job/number/b", "\t2 \r\n"));
        gateway.publish(live("metrics/job/text", "c 3\n"));

        assertThat(gateway.value(key("job", "json"), "a")).isEqualTo(1);
        assertThat(gateway.value(key("job", "number"), "b")).isEqualTo(2);
        assertThat(gateway.value(key("job", "text"), "c")).isEqualTo(3);
    }

    @Test
    void contentTypeTextPlainMeansTextWhateverThePayloadLooksLike() {
        gateway.publish(live("metrics/job/a", "x 1\n").contentType("text/plain; version=0.0.4; charset=utf-8"));
        gateway.publish(live("metrics/job/b", "{\"x\": 1}").contentType("text/plain"));

        assertThat(gateway.value(key("job", "a"), "x")).isEqualTo(1);
        assertThat(gateway.group(key("job", "b"))).isNull();
        assertThat(gateway.lastRejection("metrics/job/b").reason()).isEqualTo(RejectReason.BAD_PAYLOAD);
        assertThat(gateway.lastRejection("metrics/job/b").message()).startsWith("text format parsing error in line 1");
    }

    @Test
    void contentTypeApplicationJsonMeansJsonWhateverThePayloadLooksLike() {
        gateway.publish(live("metrics/job/a", "{\"x\": 1}").contentType("Application/JSON"));
        gateway.publish(live("metrics/job/b", "x 1\n").contentType("application/json"));

        assertThat(gateway.value(key("job", "a"), "x")).isEqualTo(1);
        assertThat(gateway.lastRejection("metrics/job/b").reason()).isEqualTo(RejectReason.BAD_PAYLOAD);
        assertThat(gateway.lastRejection("metrics/job/b").message()).startsWith("invalid JSON");
    }

    @Test
    void emptyContentTypeCountsAsNone() {
        gateway.publish(live("metrics/job/a", "{\"x\": 1}").contentType(""));

        assertThat(gateway.value(key("job", "a"), "x")).isEqualTo(1);
    }

    @Test
    void stillTheStoreDecidesAboutGroupingLabelsAndInstance() {
        gateway.publish(live("metrics/job/a/zone/path", "x{zone=\"body\",job=\"body\"} 1\n"));

        assertThat(gateway.stored(key("job", "a", "zone", "path"), "x").family().metrics().get(0).labels())
                .isEqualTo(List.of(new Label("instance", ""), new Label("job", "a"), new Label("zone", "path")));
    }
}
