package io.tidegate.mqtt;

import static io.tidegate.TestKeys.key;
import static io.tidegate.mqtt.Publish.live;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.format.MetricType;
import io.tidegate.format.TextFormatParser;
import io.tidegate.store.Source;
import io.tidegate.store.Verb;
import io.tidegate.store.WriteOutcome;
import io.tidegate.store.WriteRequest;
import org.junit.jupiter.api.Test;

/**
 * A payload that carries no type (a text family without {@code # TYPE}, a JSON leaf, a bare number)
 * takes the type the store holds for that family name (SPEC §4, Lifecycle); a type the payload gives
 * is kept, and refused when it conflicts.
 */
class MqttIngestTypeTest {
    private final IngestFixture gateway = new IngestFixture();

    @Test
    void textWithoutTypeAfterABareNumberIsStoredAsTheGauge() {
        gateway.publish(live("metrics/job/room_probe/room/kitchen/temperature_celsius", "21.5"));

        MqttOutcome outcome = gateway.handle(live("metrics/job/room_probe/room/hall", "temperature_celsius 20.1"));

        assertThat(outcome.kind()).isEqualTo(MqttOutcome.Kind.WRITTEN);
        assertThat(gateway.stored(key("job", "room_probe", "room", "hall"), "temperature_celsius").family().type())
                .isEqualTo(MetricType.GAUGE);
        assertThat(gateway.value(key("job", "room_probe", "room", "hall"), "temperature_celsius")).isEqualTo(20.1);
    }

    @Test
    void textWithoutTypeAfterJsonIsStoredAsTheGauge() {
        gateway.publish(live("metrics/job/room_probe/room/attic", "{\"temperature_celsius\": 19.0}"));

        MqttOutcome outcome = gateway.handle(live("metrics/job/room_probe/room/hall", "temperature_celsius 20.1\n"));

        assertThat(outcome.kind()).isEqualTo(MqttOutcome.Kind.WRITTEN);
        assertThat(gateway.stored(key("job", "room_probe", "room", "hall"), "temperature_celsius").family().type())
                .isEqualTo(MetricType.GAUGE);
    }

    @Test
    void aBareNumberAfterUntypedTextKeepsTheFamilyUntyped() {
        gateway.publish(live("metrics/job/room_probe/room/hall", "temperature_celsius 20.1"));

        MqttOutcome outcome = gateway.handle(live("metrics/job/room_probe/room/kitchen/temperature_celsius", "21.5"));

        assertThat(outcome.kind()).isEqualTo(MqttOutcome.Kind.WRITTEN);
        assertThat(gateway.stored(key("job", "room_probe", "room", "kitchen"), "temperature_celsius").family().type())
                .isEqualTo(MetricType.UNTYPED);
        assertThat(gateway.stored(key("job", "room_probe", "room", "hall"), "temperature_celsius").family().type())
                .isEqualTo(MetricType.UNTYPED);
    }

    @Test
    void jsonAfterACounterTakesTheCounterType() {
        gateway.publish(live("metrics/job/meter/site/a", "# TYPE energy_wh_total counter\nenergy_wh_total 1200"));

        MqttOutcome outcome = gateway.handle(live("metrics/job/meter/site/b", "{\"energy_wh_total\": 900}"));

        assertThat(outcome.kind()).isEqualTo(MqttOutcome.Kind.WRITTEN);
        assertThat(gateway.stored(key("job", "meter", "site", "b"), "energy_wh_total").family().type())
                .isEqualTo(MetricType.COUNTER);
    }

    @Test
    void aTypeThePayloadGivesIsKeptAndAConflictNamesTheGroupHoldingTheFamily() {
        gateway.publish(live("metrics/job/room_probe/room/attic", "{\"temperature_celsius\": 19.0}"));

        MqttOutcome outcome = gateway.handle(live("metrics/job/room_probe/room/hall",
                "# TYPE temperature_celsius counter\ntemperature_celsius 20.1"));

        assertThat(outcome.kind()).isEqualTo(MqttOutcome.Kind.REJECTED);
        assertThat(outcome.rejection()).isEqualTo(RejectReason.INCONSISTENT);
        assertThat(outcome.message()).contains("is not a GAUGE")
                .contains("(in group {job=\"room_probe\", room=\"attic\"})");
        assertThat(gateway.group(key("job", "room_probe", "room", "hall")).families()).doesNotContainKey("temperature_celsius");
    }

    @Test
    void anExplicitUntypedIsATypeGivenAndConflictsWithAStoredGauge() {
        gateway.publish(live("metrics/job/room_probe/room/kitchen/temperature_celsius", "21.5"));

        MqttOutcome outcome = gateway.handle(live("metrics/job/room_probe/room/hall",
                "# TYPE temperature_celsius untyped\ntemperature_celsius 20.1"));

        assertThat(outcome.kind()).isEqualTo(MqttOutcome.Kind.REJECTED);
        assertThat(outcome.message()).contains("is not a GAUGE (in group {job=\"room_probe\", room=\"kitchen\"})");
    }

    @Test
    void aHistogramHeldIsNotTakenByABareNumber() {
        gateway.publish(live("metrics/job/api/instance/a",
                "# TYPE latency_seconds histogram\nlatency_seconds_bucket{le=\"+Inf\"} 3\n"
                        + "latency_seconds_sum 1.5\nlatency_seconds_count 3\n"));

        MqttOutcome outcome = gateway.handle(live("metrics/job/api/instance/b/latency_seconds", "0.2"));

        assertThat(outcome.kind()).isEqualTo(MqttOutcome.Kind.REJECTED);
        assertThat(outcome.message()).contains("is not a HISTOGRAM");
    }

    /** The README tour's HTTP push: {@code backup_last_success_seconds}, a gauge with help, as {job="backup",instance="db1"}. */
    private WriteOutcome pushBackupGaugeOverHttp() throws Exception {
        return gateway.store.write(new WriteRequest(key("job", "backup", "instance", "db1"), Verb.PUT,
                new TextFormatParser().parse("""
                        # HELP backup_last_success_seconds When the backup last succeeded.
                        # TYPE backup_last_success_seconds gauge
                        backup_last_success_seconds 1764064800
                        """).families(), Source.http("127.0.0.1")));
    }

    /** README "A five-minute tour": a gauge pushed over HTTP, then the same name over MQTT without a type. */
    @Test
    void theReadmeTourPublishesOverMqttWhatItPushedOverHttp() throws Exception {
        assertThat(pushBackupGaugeOverHttp().wasApplied()).isTrue();

        MqttOutcome db2 = gateway.handle(live("metrics/job/backup/instance/db2", "backup_last_success_seconds 1764064800"));
        MqttOutcome kitchen = gateway.handle(live("metrics/job/room_probe/room/kitchen/temperature_celsius", "21.5"));
        MqttOutcome attic = gateway.handle(live("metrics/job/room_probe/room/attic", "{\"temperature_celsius\": 19.0}"));

        assertThat(db2.kind()).isEqualTo(MqttOutcome.Kind.WRITTEN);
        assertThat(kitchen.kind()).isEqualTo(MqttOutcome.Kind.WRITTEN);
        assertThat(attic.kind()).isEqualTo(MqttOutcome.Kind.WRITTEN);
        assertThat(gateway.stored(key("job", "backup", "instance", "db2"), "backup_last_success_seconds").family().type())
                .isEqualTo(MetricType.GAUGE);
    }

    /** A device on an older firmware may describe a family in other words than the HTTP pusher: both are taken. */
    @Test
    void aHelpTextOtherThanTheOneStoredIsTakenAsUpstreamTakesIt() throws Exception {
        assertThat(pushBackupGaugeOverHttp().wasApplied()).isTrue();

        MqttOutcome db2 = gateway.handle(live("metrics/job/backup/instance/db2",
                "# HELP backup_last_success_seconds Unix time of the last good backup.\n"
                        + "backup_last_success_seconds 1764064800\n"));

        assertThat(db2.kind()).isEqualTo(MqttOutcome.Kind.WRITTEN);
        assertThat(gateway.stored(key("job", "backup", "instance", "db2"), "backup_last_success_seconds").family().help())
                .isEqualTo("Unix time of the last good backup.");
    }

    /** Over HTTP a family without a type is untyped, as upstream, and conflicts with a stored gauge as there. */
    @Test
    void anHttpPushWithoutTypeStillConflictsWithAStoredGauge() throws Exception {
        gateway.publish(live("metrics/job/room_probe/room/kitchen/temperature_celsius", "21.5"));

        WriteOutcome pushed = gateway.store.write(new WriteRequest(key("job", "room_probe", "room", "hall"), Verb.PUT,
                new TextFormatParser().parse("temperature_celsius 20.1\n").families(), Source.http("127.0.0.1")));

        assertThat(pushed.wasApplied()).isFalse();
        assertThat(pushed.refusal().message()).isEqualTo("collected metric \"temperature_celsius\" "
                + "{instance=\"\",job=\"room_probe\",room=\"hall\"} is not a GAUGE (in group {job=\"room_probe\", room=\"kitchen\"})");
    }
}
