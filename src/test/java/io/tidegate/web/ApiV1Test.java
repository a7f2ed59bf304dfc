package io.tidegate.web;

import static io.tidegate.TestKeys.key;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.tidegate.TestClock;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.MetricType;
import io.tidegate.mqtt.MqttRejection;
import io.tidegate.mqtt.RejectReason;
import io.tidegate.key.GroupingKey;
import io.tidegate.store.Group;
import io.tidegate.store.Source;
import io.tidegate.store.Store;
import io.tidegate.store.StoreCommand;
import io.tidegate.store.Ttls;
import io.tidegate.store.Verb;
import io.tidegate.store.WriteLog;
import io.tidegate.store.WriteRequest;
import io.tidegate.ttl.ExpirySchedule;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code GET /api/v1/metrics}: upstream's shape, plus where MQTT groups came from and the last MQTT rejections. */
class ApiV1Test {
    private final TestClock clock = new TestClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final Store store = new Store(clock, true, name -> null, new ExpirySchedule());
    private final List<MqttRejection> rejections = new ArrayList<>();
    private final ApiV1 api = new ApiV1(store::snapshot, store, Map.of(), Map.of(), clock.instant(), () -> rejections,
            store::writesRefused, false);

    private void write(GroupingKey key, Source source) {
        MetricFamily family = new MetricFamily("temp", null, MetricType.GAUGE, List.of(Metric.simple(List.of(), 21, null)));
        store.write(new WriteRequest(key, Verb.PUT, Map.of("temp", family), source));
    }

    private JsonObject answer() {
        return JsonParser.parseString(api.metricsJson()).getAsJsonObject();
    }

    private JsonObject group(String job) {
        for (var element : answer().getAsJsonArray("data")) {
            JsonObject group = element.getAsJsonObject();
            if (group.getAsJsonObject("labels").get("job").getAsString().equals(job)) {
                return group;
            }
        }
        throw new AssertionError("no group of job " + job);
    }

    @Test
    void httpGroupsLookExactlyAsUpstreamShowsThem() {
        write(key("job", "backup"), Source.http("127.0.0.1"));

        assertThat(group("backup").keySet())
                .containsExactlyInAnyOrder("labels", "last_push_successful", "temp", "push_time_seconds",
                        "push_failure_time_seconds");
    }

    @Test
    void mqttGroupsShowTheirTopicAndWhetherTheyCameFromARetainedMessage() {
        write(key("job", "sensor"), Source.mqtt("metrics/job/sensor", true));
        write(key("job", "live"), Source.mqtt("metrics/job/live"));

        assertThat(group("sensor").getAsJsonObject("@source").toString())
                .isEqualTo("{\"kind\":\"mqtt\",\"topic\":\"metrics/job/sensor\",\"retained\":true}");
        assertThat(group("live").getAsJsonObject("@source").get("retained").getAsBoolean()).isFalse();
    }

    @Test
    void aFamilyNamedSourceDoesNotClashWithTheSource() {
        MetricFamily family = new MetricFamily("source", null, MetricType.GAUGE, List.of(Metric.simple(List.of(), 1, null)));
        store.write(new WriteRequest(key("job", "sensor"), Verb.PUT, Map.of("source", family), Source.mqtt("t")));

        assertThat(group("sensor").getAsJsonObject("source").get("type").getAsString()).isEqualTo("GAUGE");
        assertThat(group("sensor").getAsJsonObject("@source").get("topic").getAsString()).isEqualTo("t");
    }

    @Test
    void mqttRejectionsComeBesideTheDataNewestFirst() {
        rejections.add(new MqttRejection("metrics/job/b", clock.instant(), RejectReason.BAD_PAYLOAD, "invalid JSON"));
        rejections.add(new MqttRejection("metrics/job/a", clock.instant().minusSeconds(5), RejectReason.BAD_TOPIC,
                "job name is required"));

        JsonObject answer = answer();

        assertThat(answer.get("status").getAsString()).isEqualTo("success");
        assertThat(answer.getAsJsonArray("data")).isEmpty();
        JsonArray listed = answer.getAsJsonArray("mqtt_rejections");
        assertThat(listed.get(0).toString()).isEqualTo("{\"topic\":\"metrics/job/b\",\"time\":\"2026-11-25T10:00:00Z\","
                + "\"reason\":\"bad_payload\",\"message\":\"invalid JSON\"}");
        assertThat(listed.get(1).getAsJsonObject().get("reason").getAsString()).isEqualTo("bad_topic");
    }

    @Test
    void withoutRejectionsTheAnswerIsUpstreams() {
        write(key("job", "backup"), Source.http("127.0.0.1"));
        store.write(WriteRequest.wipe(Source.http("127.0.0.1")));

        assertThat(api.metricsJson()).isEqualTo("{\"status\":\"success\",\"data\":[]}");
    }

    @Test
    void statusSaysNothingOfPersistenceWhileWritesAreTaken() {
        JsonObject data = JsonParser.parseString(api.statusJson()).getAsJsonObject().getAsJsonObject("data");

        assertThat(data.keySet()).containsExactly("build_information", "flags", "mqtt_enabled", "start_time");
    }

    @Test
    void statusSaysSinceWhenAndWhyWritesAreRefusedWhileTheJournalFails() {
        Instant since = clock.instant();
        String reason = "persistence file /var/lib/tidegate/tidegate.db.journal-3: No space left on device";
        store.journalTo(new WriteLog() {
            @Override
            public void written(Group group) {}

            @Override
            public void deleted(GroupingKey key) {}

            @Override
            public void wiped() {}

            @Override
            public long position() {
                return 0;
            }

            @Override
            public String failure() {
                return reason;
            }

            @Override
            public Instant failingSince() {
                return since;
            }

            @Override
            public void awaitDurable(long position) {}

            @Override
            public void whenDurable(long position, Runnable then) {}
        });

        JsonObject data = JsonParser.parseString(api.statusJson()).getAsJsonObject().getAsJsonObject("data");

        assertThat(data.getAsJsonObject("persistence_failure").toString()).isEqualTo("{\"since\":\"2026-11-25T10:00:00Z\","
                + "\"reason\":\"persistence file /var/lib/tidegate/tidegate.db.journal-3: No space left on device\"}");
    }

    @Test
    void statusSaysWhetherMqttIsOn() {
        JsonObject data = JsonParser.parseString(api.statusJson()).getAsJsonObject().getAsJsonObject("data");

        assertThat(data.get("mqtt_enabled").getAsBoolean()).isFalse();
    }

    @Test
    void offlineListsExpiredGroupsWithLastPushAndDeadlineNewestFirst() {
        Store withTombstones = new Store(clock, true, name -> null, 3_600_000, new ExpirySchedule());
        ApiV1 offlineApi = new ApiV1(withTombstones::snapshot, withTombstones, Map.of(), Map.of(), clock.instant(),
                List::of, withTombstones::writesRefused, true);
        MetricFamily temp = new MetricFamily("temp", null, MetricType.GAUGE, List.of(Metric.simple(List.of(), 21, null)));
        withTombstones.write(new WriteRequest(key("job", "kitchen"), Verb.PUT, Map.of("temp", temp),
                Ttls.of(60_000), Source.mqtt("metrics/job/kitchen")));
        clock.advance(Duration.ofSeconds(10));
        withTombstones.write(new WriteRequest(key("job", "attic"), Verb.PUT, Map.of("temp", temp),
                Ttls.of(60_000), Source.http("127.0.0.1")));
        clock.advance(Duration.ofMinutes(2));
        withTombstones.apply(new StoreCommand.ExpireDue(100));

        JsonObject answer = JsonParser.parseString(offlineApi.offlineJson()).getAsJsonObject();

        assertThat(answer.get("tombstones").getAsBoolean()).isTrue();
        JsonArray data = answer.getAsJsonArray("data");
        assertThat(data).hasSize(2);
        assertThat(data.get(0).toString()).isEqualTo("{\"labels\":{\"job\":\"attic\"},"
                + "\"last_push_time\":\"2026-11-25T10:00:10Z\",\"deadline\":\"2026-11-25T10:01:10Z\","
                + "\"tombstone_until\":\"2026-11-25T11:01:10Z\"}");
        assertThat(data.get(1).getAsJsonObject().getAsJsonObject("@source").get("topic").getAsString())
                .isEqualTo("metrics/job/kitchen");
        assertThat(api.offlineJson()).as("nothing expired here").isEqualTo("{\"status\":\"success\",\"data\":[],\"tombstones\":false}");
    }
}
