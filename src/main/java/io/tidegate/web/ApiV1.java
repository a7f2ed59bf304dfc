package io.tidegate.web;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.javalin.http.Context;
import io.tidegate.format.Bucket;
import io.tidegate.format.GoFloat;
import io.tidegate.format.HistogramMessage;
import io.tidegate.format.Label;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.NativeBuckets;
import io.tidegate.format.Quantile;
import io.tidegate.format.SampleCounts;
import io.tidegate.format.Refusal;
import io.tidegate.mqtt.MqttRejection;
import io.tidegate.store.Group;
import io.tidegate.store.GroupWriter;
import io.tidegate.store.OfflineGroup;
import io.tidegate.store.Source;
import io.tidegate.store.StoreSnapshot;
import io.tidegate.store.StoredFamily;
import io.tidegate.store.WriteLog;
import io.tidegate.store.WriteOutcome;
import io.tidegate.store.WriteRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON API under {@code /api/v1}, shaped as upstream's so its clients and the upstream web
 * page's scripts read it unchanged: {@code status}, {@code metrics} and the admin {@code wipe}.
 * What Tidegate adds (TTLs, deadlines, MQTT sources and rejections) comes as fields upstream's
 * readers pass over.
 */
final class ApiV1 {
    private static final Logger log = LoggerFactory.getLogger(ApiV1.class);
    /** Where an MQTT group shows its source: a name no metric family can have, so none can hide it. */
    static final String SOURCE_FIELD = "@source";
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();
    private static final Map<String, String> CORS = Map.of(
            "Access-Control-Allow-Headers", "Accept, Authorization, Content-Type, Origin",
            "Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS",
            "Access-Control-Allow-Origin", "*",
            "Access-Control-Expose-Headers", "Date",
            "Cache-Control", "no-cache, no-store, must-revalidate");

    private final Supplier<StoreSnapshot> snapshots;
    private final GroupWriter writer;
    private final Map<String, String> flags;
    private final Map<String, String> buildInformation;
    private final Instant startTime;
    private final Supplier<List<MqttRejection>> mqttRejections;
    private final Supplier<WriteLog.Failure> writesRefused;
    private final boolean mqttEnabled;

    /**
     * @param snapshots what the answers read, one snapshot each
     * @param writer where the admin wipe goes: the store, or, with {@code --mqtt.replicate}, the writer
     *     that replicates it through the MQTT broker
     * @param writesRefused why and since when writes are refused (the persistence journal failing), or null
     * @param mqttEnabled whether Tidegate takes part in MQTT, so that the page shows its MQTT parts
     */
    ApiV1(Supplier<StoreSnapshot> snapshots, GroupWriter writer, Map<String, String> flags,
            Map<String, String> buildInformation, Instant startTime, Supplier<List<MqttRejection>> mqttRejections,
            Supplier<WriteLog.Failure> writesRefused, boolean mqttEnabled) {
        this.writesRefused = writesRefused;
        this.mqttEnabled = mqttEnabled;
        this.snapshots = snapshots;
        this.writer = writer;
        this.flags = new TreeMap<>(flags);
        this.buildInformation = new TreeMap<>(buildInformation);
        this.startTime = startTime;
        this.mqttRejections = mqttRejections;
    }

    void options(Context ctx) {
        cors(ctx);
    }

    void status(Context ctx) {
        send(ctx, statusJson());
    }

    /**
     * Upstream's answer, with additions its readers pass over: {@code mqtt_enabled}, whether Tidegate
     * takes part in MQTT; and while the persistence journal fails (a full disk) and writes are refused,
     * {@code persistence_failure} in {@code data}, with {@code since} (RFC 3339) and {@code reason} (the
     * file and the system's error); left out while writes are taken.
     */
    String statusJson() {
        Map<String, Object> data = new TreeMap<>();
        data.put("build_information", buildInformation);
        data.put("flags", flags);
        data.put("start_time", startTime.toString());
        data.put("mqtt_enabled", mqttEnabled);
        WriteLog.Failure failure = writesRefused.get();
        if (failure != null) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("since", failure.since() == null ? null : failure.since().toString());
            json.put("reason", failure.reason());
            data.put("persistence_failure", json);
        }
        return GSON.toJson(envelope(data));
    }

    void metrics(Context ctx) {
        send(ctx, metricsJson());
    }

    /**
     * Upstream's answer, with two additions its readers pass over: each group that came over MQTT
     * has {@value #SOURCE_FIELD} (its topic, and whether it was written from a retained message),
     * under a name no metric family can have, since the group's other fields are its families; and
     * beside {@code data}, {@code mqtt_rejections}: the last rejected message of each topic, newest
     * first, left out when there is none (as Go's {@code omitempty} would). So with nothing from MQTT
     * the answer is upstream's byte for byte.
     */
    String metricsJson() {
        List<Object> groups = new ArrayList<>();
        for (Group group : snapshots.get().groups()) {
            Map<String, Object> entry = new TreeMap<>();
            entry.put("labels", labels(group.key().labels()));
            entry.put("last_push_successful", group.lastPushSuccessful());
            for (StoredFamily stored : group.families().values()) {
                entry.put(stored.name(), family(stored));
            }
            Map<String, Object> source = sourceOf(group.source());
            if (source != null) {
                entry.put(SOURCE_FIELD, source);
            }
            groups.add(entry);
        }
        List<Object> rejections = new ArrayList<>();
        for (MqttRejection rejection : mqttRejections.get()) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("topic", rejection.topic());
            json.put("time", rejection.time().toString());
            json.put("reason", rejection.reason().label());
            json.put("message", rejection.message());
            rejections.add(json);
        }
        Map<String, Object> envelope = envelope(groups);
        if (!rejections.isEmpty()) {
            envelope.put("mqtt_rejections", rejections);
        }
        return GSON.toJson(envelope);
    }

    void offline(Context ctx) {
        send(ctx, offlineJson());
    }

    /**
     * A Tidegate extension, {@code /api/v1/offline}: the groups that went offline (see {@link
     * StoreSnapshot#offline}), latest deadline first, each with its {@code labels}, {@code last_push_time}
     * (RFC 3339, null when not known), {@code deadline} (when it expired), {@code tombstone_until} (only
     * with {@code --ttl.tombstone}: until when {@code push_expired_time_seconds} shows) and, as in
     * {@code metrics}, {@value #SOURCE_FIELD} for a group that came over MQTT or from another replica.
     * Beside {@code data}, {@code tombstones}: whether these are tombstones (else the last expiries).
     */
    String offlineJson() {
        StoreSnapshot snapshot = snapshots.get();
        List<Object> offline = new ArrayList<>();
        for (OfflineGroup group : snapshot.offline()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("labels", labels(group.key().labels()));
            entry.put("last_push_time", group.lastPushMillis() == 0 ? null
                    : Instant.ofEpochMilli(group.lastPushMillis()).toString());
            entry.put("deadline", Instant.ofEpochMilli(group.deadlineMillis()).toString());
            if (group.hasTombstone()) {
                entry.put("tombstone_until", Instant.ofEpochMilli(group.tombstoneUntilMillis()).toString());
            }
            Map<String, Object> source = sourceOf(group.source());
            if (source != null) {
                entry.put(SOURCE_FIELD, source);
            }
            offline.add(entry);
        }
        Map<String, Object> envelope = envelope(offline);
        envelope.put("tombstones", snapshot.keepsTombstones());
        return GSON.toJson(envelope);
    }

    /** Where a group came from, when not an HTTP push to this Tidegate; null when it was. */
    private static Map<String, Object> sourceOf(Source source) {
        if (source.kind() == Source.Kind.MQTT) {
            return source(source);
        }
        return source.replicaOrigin() != null ? replicatedSource(source) : null;
    }

    private static Map<String, String> labels(List<Label> labels) {
        Map<String, String> json = new TreeMap<>();
        for (Label label : labels) {
            json.put(label.name(), label.value());
        }
        return json;
    }

    private static Map<String, Object> source(Source source) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("kind", source.kind().wireName());
        json.put("topic", source.detail());
        json.put("retained", source.retained());
        return json;
    }

    /** An HTTP push another Tidegate took and replicated through the MQTT broker: who pushed, and to which replica. */
    private static Map<String, Object> replicatedSource(Source source) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("kind", source.kind().wireName());
        json.put("client", source.client());
        json.put("via", source.replicaOrigin());
        return json;
    }

    /**
     * Removes every group, as one write through the writer this API was given, so that with
     * {@code --mqtt.replicate} the wipe reaches every replica as a push does. Answered 202, as
     * upstream does, once the wipe is durable here (replicated: once the broker has it, and this
     * replica applied it). A wipe is refused when the broker did not take it (nothing was wiped
     * anywhere) or while the persistence journal fails (nothing was wiped here): the answer is 503
     * saying why, as for a push.
     */
    void wipe(Context ctx) {
        WriteOutcome outcome = writer.write(WriteRequest.wipe(Source.http(ctx.ip())));
        if (!outcome.wasApplied()) {
            boolean notDurable = outcome.refusal().reason() == Refusal.Reason.NOT_DURABLE;
            log.atWarn().addKeyValue("source", ctx.ip()).addKeyValue("err", outcome.refusal().message())
                    .log(notDurable ? "wipe not stored" : "wipe not replicated");
            PlainAnswer.status(ctx, 503, outcome.refusal().message());
            return;
        }
        ctx.status(202);
    }

    private static Map<String, Object> family(StoredFamily stored) {
        MetricFamily family = stored.family();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("time_stamp", Instant.ofEpochMilli(stored.writtenAtMillis()).toString());
        json.put("type", family.type().name());
        if (family.help() != null && !family.help().isEmpty()) {
            json.put("help", family.help());
        }
        if (stored.ttlMillis() > 0) {
            json.put("ttl_seconds", GoFloat.formatShortest(stored.ttlMillis() / 1000.0));
        }
        if (stored.hasDeadline()) {
            json.put("deadline", Instant.ofEpochMilli(stored.deadlineMillis()).toString());
        }
        List<Object> metrics = new ArrayList<>();
        for (Metric metric : family.metrics()) {
            metrics.add(metric(family, metric));
        }
        json.put("metrics", metrics);
        return json;
    }

    private static Map<String, Object> metric(MetricFamily family, Metric metric) {
        Map<String, Object> json = new TreeMap<>();
        json.put("labels", labels(metric.labels()));
        switch (family.type()) {
            case SUMMARY -> {
                Map<String, String> quantiles = new TreeMap<>();
                for (Quantile quantile : metric.quantiles()) {
                    quantiles.put(GoFloat.formatShortest(quantile.quantile()), GoFloat.formatShortest(quantile.value()));
                }
                json.put("quantiles", quantiles);
                json.put("count", Long.toUnsignedString(SampleCounts.toUint64(metric.count())));
                json.put("sum", GoFloat.formatShortest(metric.sum()));
            }
            case HISTOGRAM, GAUGE_HISTOGRAM -> {
                HistogramMessage message = HistogramMessage.fromValueBytes(metric.protoValue());
                if (message != null) {
                    histogram(json, message);
                } else {
                    textHistogram(json, metric);
                }
            }
            default -> json.put("value", GoFloat.formatShortest(metric.value()));
        }
        return json;
    }

    /**
     * A histogram pushed as protobuf, as upstream's {@code makeEncodableMetrics} shows it. A native one
     * (it has a span; whether it also has classic buckets does not matter) has {@code buckets} as a list
     * of {@code [boundaries, lower, upper, count]} (see {@link NativeBuckets.Interval}), and its count
     * from the float field if its float count or float zero count is above 0, else from the integer one.
     * A classic one has {@code buckets} as an object from upper bound to cumulative count; each count,
     * and the sample count, is the float field when above 0, else the integer one.
     */
    private static void histogram(Map<String, Object> json, HistogramMessage message) {
        json.put("sum", GoFloat.formatShortest(message.sampleSum()));
        if (message.isNative()) {
            boolean floats = message.hasFloatCounts();
            json.put("count", floats ? GoFloat.formatShortest(message.sampleCountFloat())
                    : Long.toUnsignedString(message.sampleCount()));
            List<Object> buckets = new ArrayList<>();
            List<NativeBuckets.Interval> intervals = NativeBuckets.of(message);
            for (NativeBuckets.Interval interval : intervals == null ? List.<NativeBuckets.Interval>of() : intervals) {
                buckets.add(List.of(interval.boundaries(), GoFloat.formatShortest(interval.lower()),
                        GoFloat.formatShortest(interval.upper()), floats ? GoFloat.formatShortest(interval.floatCount())
                                : Long.toUnsignedString(interval.intCount())));
            }
            json.put("buckets", buckets);
            return;
        }
        Map<String, String> buckets = new TreeMap<>();
        for (HistogramMessage.ClassicBucket bucket : message.buckets()) {
            buckets.put(GoFloat.formatShortest(bucket.upperBound()),
                    countOf(bucket.cumulativeCountFloat(), bucket.cumulativeCount()));
        }
        json.put("buckets", buckets);
        json.put("count", countOf(message.sampleCountFloat(), message.sampleCount()));
    }

    /** Upstream's choice between a float count and an integer one: the float one when above 0. */
    private static String countOf(double floatCount, long intCount) {
        return floatCount > 0 ? GoFloat.formatShortest(floatCount) : Long.toUnsignedString(intCount);
    }

    /**
     * A histogram without protobuf bytes (pushed as text): integer counts when every count is a whole
     * number, as Tidegate's text parser leaves them; should one not be, every count is a float, shown when
     * above 0 (as {@link #countOf}), which is how upstream 1.10+ shows a text histogram with a fractional
     * count (its parser turns all of that histogram's counts into floats).
     */
    private static void textHistogram(Map<String, Object> json, Metric metric) {
        boolean floats = SampleCounts.hasFloatCounts(metric);
        Map<String, String> buckets = new TreeMap<>();
        for (Bucket bucket : metric.buckets()) {
            buckets.put(GoFloat.formatShortest(bucket.upperBound()), textCount(bucket.cumulativeCount(), floats));
        }
        json.put("buckets", buckets);
        json.put("count", textCount(metric.count(), floats));
        json.put("sum", GoFloat.formatShortest(metric.sum()));
    }

    private static String textCount(double count, boolean floats) {
        if (floats) {
            return count > 0 ? GoFloat.formatShortest(count) : "0";
        }
        return Long.toUnsignedString(SampleCounts.toUint64(count));
    }

    private static Map<String, Object> envelope(Object data) {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("status", "success");
        envelope.put("data", data);
        return envelope;
    }

    private static void send(Context ctx, String json) {
        cors(ctx);
        ctx.contentType("application/json");
        ctx.result(json);
    }

    private static void cors(Context ctx) {
        CORS.forEach(ctx::header);
    }
}
