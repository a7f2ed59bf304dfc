package io.tidegate.mqtt;

import io.tidegate.format.Durations;
import io.tidegate.format.BodyFormatException;
import io.tidegate.format.BodyLimits;
import io.tidegate.format.ExpositionFormat;
import io.tidegate.format.MediaType;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.ParsedBody;
import io.tidegate.format.ProtobufBodyReader;
import io.tidegate.format.ProtobufFormat;
import io.tidegate.format.TextFormatParser;
import io.tidegate.format.WireFormat;
import io.tidegate.key.GroupingKey;
import io.tidegate.store.Source;
import io.tidegate.store.Ttls;
import io.tidegate.store.Verb;
import io.tidegate.store.WriteRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A write one Tidegate took over HTTP, as the MQTT message that carries it to every Tidegate subscribed
 * to its topic (SPEC §9), and back. The topic is the group's ({@link TopicScheme#topicOf}); the payload
 * its families, as Prometheus text when that says exactly the same (read it with {@code mosquitto_sub}),
 * else as delimited protobuf (what text cannot say: exemplars, native histograms, created timestamps);
 * MQTT 5 user properties carry the rest, already resolved by the Tidegate that took it:
 * <ul>
 *   <li>{@code verb}: {@code PUT}, {@code POST}, {@code DELETE} or {@code WIPE};
 *   <li>{@code ttl}: the push's TTL in seconds ({@code 0}: never), and {@code family-ttls}
 *       ({@code name=seconds,...}) for families whose {@code #!set stale_timeout} said otherwise;
 *   <li>{@code time}: when it was written, Unix milliseconds, so every replica holds the same push
 *       time and deadlines;
 *   <li>{@code origin} (the client id of the Tidegate that took it), {@code id} (unique per write, so a
 *       copy delivered twice is applied once) and {@code client} (the pusher's address);
 *   <li>{@code state-by}: {@code appliers} when the origin does not hold the group ({@link #STATE_BY}).
 * </ul>
 * The message expiry interval is the longest TTL it carries, so a broker drops a copy queued for a
 * replica that is away once everything in it has expired.
 *
 * <p>The admin wipe names no group, so it has a topic of its own, {@link TopicScheme#wipeTopic}
 * ({@code <prefix>/tidegate/wipe}), which every replica subscribes to whatever share of the groups'
 * topics it takes: an empty payload, {@code verb} {@code WIPE} and the other properties above but the
 * TTLs, and no expiry interval, so a replica that is away applies it when it is back, in order with
 * the writes published before and after it.
 */
final class ReplicatedWrite {
    static final String VERB = "verb";
    static final String TTL = MqttIngest.TTL_PROPERTY;
    static final String FAMILY_TTLS = "family-ttls";
    static final String TIME = "time";
    static final String ORIGIN = "origin";
    static final String ID = "id";
    static final String CLIENT = "client";
    /**
     * Present ({@value #STATE_BY_APPLIERS}) when the Tidegate that took the write does not subscribe to
     * its group's topic (a shard taking a push for another shard's group): then every replica that
     * applies it publishes the group's state ({@link GroupStates}), since the origin does not hold it.
     */
    static final String STATE_BY = "state-by";
    static final String STATE_BY_APPLIERS = "appliers";
    static final String TEXT_CONTENT_TYPE = "text/plain; version=0.0.4";

    private ReplicatedWrite() {}

    /** Whether {@code message} is a write another Tidegate (or this one) replicated, rather than a device's message. */
    static boolean isReplicated(MqttMessage message) {
        return message.userProperties().containsKey(ORIGIN);
    }

    /** {@code request} as the message that replicates it, written at {@code writtenAtMillis}. */
    static Publication encode(TopicScheme topics, WriteRequest request, String origin, String id, long writtenAtMillis) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put(VERB, request.verb().name());
        properties.put(ORIGIN, origin);
        properties.put(ID, id);
        properties.put(TIME, Long.toString(writtenAtMillis));
        properties.put(CLIENT, request.source().detail());
        if (request.verb() == Verb.WIPE) {
            return new Publication(topics.wipeTopic(), new byte[0], TEXT_CONTENT_TYPE, null, properties);
        }
        String topic = topics.topicOf(request.key());
        if (request.verb() == Verb.DELETE) {
            return new Publication(topic, new byte[0], TEXT_CONTENT_TYPE, null, properties);
        }
        Ttls ttls = request.ttls();
        properties.put(TTL, seconds(ttls.pushMillis()));
        StringBuilder familyTtls = new StringBuilder();
        long longest = request.families().isEmpty() ? ttls.pushMillis() : 0;
        boolean forever = false;
        for (String name : request.families().keySet()) {
            long ttl = ttls.forFamily(name);
            forever |= ttl == 0;
            longest = Math.max(longest, ttl);
            if (ttl != ttls.pushMillis()) {
                familyTtls.append(familyTtls.length() == 0 ? "" : ",").append(name).append('=').append(seconds(ttl));
            }
        }
        if (familyTtls.length() > 0) {
            properties.put(FAMILY_TTLS, familyTtls.toString());
        }
        Long expiry = forever || longest <= 0 ? null
                : Math.min(MqttIngest.MAX_EXPIRY_INTERVAL_SECONDS, (longest + 999) / 1000);
        Map<String, MetricFamily> families = withSeries(request.families());
        byte[] text = render(WireFormat.TEXT.format(), families);
        if (saysExactly(text, families)) {
            return new Publication(topic, text, TEXT_CONTENT_TYPE, expiry, properties);
        }
        return new Publication(topic, render(WireFormat.PROTOBUF.format(), families), ProtobufFormat.CONTENT_TYPE, expiry,
                properties);
    }

    /** What a replicated message says, or why it cannot be applied. */
    record Decoded(String id, WriteRequest request, Rejection rejection) {
        static Decoded rejected(String id, RejectReason reason, String message) {
            return new Decoded(id, null, new Rejection(reason, message));
        }
    }

    /**
     * The write {@code message} (a replicated one, on a topic naming {@code key}, or on the wipe topic
     * when {@code key} is null) carries; its body is read up to the first series past {@code limits}.
     */
    static Decoded decode(MqttMessage message, GroupingKey key, long maxPayloadBytes, BodyLimits limits) {
        Map<String, String> properties = message.userProperties();
        String id = properties.get(ID);
        String origin = properties.get(ORIGIN);
        if (id == null || id.isEmpty() || origin.isEmpty()) {
            return Decoded.rejected(id, RejectReason.BAD_PAYLOAD, "replicated write without the user properties "
                    + ORIGIN + " and " + ID);
        }
        Verb verb;
        long time;
        try {
            verb = Verb.valueOf(properties.getOrDefault(VERB, ""));
            time = Long.parseLong(properties.getOrDefault(TIME, ""));
        } catch (IllegalArgumentException e) {
            return Decoded.rejected(id, RejectReason.BAD_PAYLOAD, "replicated write with an invalid " + VERB + " or "
                    + TIME + " user property (a verb PUT, POST, DELETE or WIPE and Unix milliseconds)");
        }
        if ((key == null) != (verb == Verb.WIPE)) {
            return Decoded.rejected(id, RejectReason.BAD_TOPIC, key == null
                    ? "a replicated " + verb + " on the wipe topic, which takes only a WIPE"
                    : "a replicated WIPE on a group's topic; it travels on the wipe topic");
        }
        Source source = Source.viaReplica(properties.getOrDefault(CLIENT, ""), origin);
        if (verb == Verb.WIPE) {
            return new Decoded(id, WriteRequest.wipe(source), null);
        }
        if (verb == Verb.DELETE) {
            return new Decoded(id, WriteRequest.delete(key, source), null);
        }
        Ttls ttls;
        try {
            ttls = ttls(properties.getOrDefault(TTL, "0"), properties.get(FAMILY_TTLS));
        } catch (IllegalArgumentException e) {
            return Decoded.rejected(id, RejectReason.BAD_TTL, "replicated write: " + e.getMessage());
        }
        ParsedBody body;
        try {
            body = read(message.payload(), message.contentType(), maxPayloadBytes, limits);
        } catch (BodyFormatException e) {
            return Decoded.rejected(id, RejectReason.of(e.reason()), e.getMessage());
        } catch (IllegalArgumentException e) {
            return Decoded.rejected(id, RejectReason.UNSUPPORTED_CONTENT_TYPE, e.getMessage());
        }
        return new Decoded(id, new WriteRequest(key, verb, body.families(), ttls, source, time), null);
    }

    /**
     * The families of a replicated write's payload in the format its content type names. A Tidegate
     * writes {@link #TEXT_CONTENT_TYPE} or {@link ProtobufFormat#CONTENT_TYPE}, and none means text;
     * only how the subtype begins is looked at, not what follows nor the parameters.
     */
    private static ParsedBody read(byte[] payload, String contentType, long maxPayloadBytes, BodyLimits limits)
            throws BodyFormatException {
        MediaType type = contentType == null || contentType.isEmpty() ? null : MediaType.parse(contentType);
        if (type != null && type.type().equals("application") && type.subtype().startsWith("vnd.google.protobuf")) {
            try {
                return new ProtobufBodyReader(limits).read(new ByteArrayInputStream(payload), maxPayloadBytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e); // a byte array does not fail to read
            }
        }
        if (type == null || type.type().equals("text") && type.subtype().startsWith("plain")) {
            return new TextFormatParser(limits).parse(payload, payload.length);
        }
        throw new IllegalArgumentException("replicated write with content type \"" + contentType
                + "\": expected " + TEXT_CONTENT_TYPE + " or " + ProtobufFormat.CONTENT_TYPE);
    }

    private static Ttls ttls(String push, String families) {
        Map<String, Long> perFamily = new LinkedHashMap<>();
        if (families != null && !families.isEmpty()) {
            for (String entry : families.split(",", -1)) {
                int equals = entry.lastIndexOf('=');
                if (equals <= 0) {
                    throw new IllegalArgumentException("invalid " + FAMILY_TTLS + " entry \"" + entry
                            + "\": expected name=seconds");
                }
                perFamily.put(entry.substring(0, equals), Durations.parse(entry.substring(equals + 1)).toMillis());
            }
        }
        return new Ttls(Durations.parse(push).toMillis(), perFamily);
    }

    /** Milliseconds as plain seconds, exactly: {@code 300}, {@code 0.25}. */
    private static String seconds(long millis) {
        return BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString();
    }

    /**
     * The families that hold series: neither format writes one without (the scrape leaves them out
     * too), so a family pushed empty is not replicated.
     */
    private static Map<String, MetricFamily> withSeries(Map<String, MetricFamily> families) {
        Map<String, MetricFamily> kept = new LinkedHashMap<>();
        families.forEach((name, family) -> {
            if (!family.metrics().isEmpty()) {
                kept.put(name, family);
            }
        });
        return kept;
    }

    private static byte[] render(ExpositionFormat format, Map<String, MetricFamily> families) {
        List<String> names = new ArrayList<>(families.keySet());
        names.sort(null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (String name : names) {
                MetricFamily family = families.get(name);
                format.writeFamily(family.name(), family.help(), family.type(), List.of(format.renderSeries(family)), out);
            }
            format.writeEnd(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail to write
        }
        return out.toByteArray();
    }

    /**
     * Whether the text reads back as exactly these families. It does not for protobuf pushes (their
     * value bytes, with what only protobuf holds) and for the rare text that is ambiguous once written
     * (a gauge {@code x_count} beside a summary {@code x}); those travel as protobuf.
     */
    private static boolean saysExactly(byte[] text, Map<String, MetricFamily> families) {
        try {
            return new TextFormatParser().parse(text, text.length).families().equals(families);
        } catch (BodyFormatException e) {
            return false;
        }
    }
}
