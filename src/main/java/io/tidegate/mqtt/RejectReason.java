package io.tidegate.mqtt;

import io.tidegate.format.Refusal;
import java.util.Locale;

/**
 * Why a message was not applied, as the {@code reason} label of
 * {@code tidegate_mqtt_messages_rejected_total} and in {@code /api/v1/metrics} names it.
 */
public enum RejectReason {
    /**
     * The topic is not {@code <prefix>/job/<job>{/<label>/<value>}[/<metric>]} and no mapping rule
     * applies to it, or its key is invalid (a mapping rule's {@code job} empty for it, say).
     */
    BAD_TOPIC,
    /**
     * The payload does not parse as the format it is (or was sniffed to be, or its mapping rule
     * says), is not UTF-8, or lacks what its mapping rule asks for (a field, a number, a known string).
     */
    BAD_PAYLOAD,
    /** The payload is larger than {@code --mqtt.max-payload-size}; it was not parsed. */
    TOO_LARGE,
    /** The {@code ttl} user property is not a duration, or the expiry interval is negative. */
    BAD_TTL,
    /** The MQTT 5 content type is neither text/plain nor application/json. */
    UNSUPPORTED_CONTENT_TYPE,
    /** The store refused the write, as an HTTP push of the same would be refused (type conflict, duplicate series, ...). */
    INCONSISTENT,
    /** The write passes a bound of SPEC §7 (series, labels, groups, series and heap held: {@link io.tidegate.store.WriteLimits}); nothing was stored. */
    LIMIT,
    /**
     * The persistence journal is failing (a full disk): nothing was stored and the message is not
     * acknowledged, so it is not lost.
     */
    NOT_DURABLE,
    /**
     * A Home Assistant discovery config ({@code --mqtt.discovery=homeassistant}) that cannot be used: not JSON, a
     * key missing or of the wrong kind, or a value template outside the subset Tidegate renders.
     */
    BAD_DISCOVERY_CONFIG,
    /** Applying it failed in a way no input should cause: a bug, caught so the subscriber keeps running. */
    INTERNAL_ERROR;

    /**
     * The reason a message is rejected under when its write was refused for {@code reason}: the one
     * place MQTT maps refusals.
     */
    static RejectReason of(Refusal.Reason reason) {
        return switch (reason) {
            case BAD_PATH -> BAD_TOPIC;
            case BAD_BODY -> BAD_PAYLOAD;
            case BAD_TTL -> BAD_TTL;
            case INCONSISTENT -> INCONSISTENT;
            case TOO_MANY_SERIES, OVERSIZED_LABELS, TOO_MANY_GROUPS, TOO_MANY_STORED_SERIES,
                    TOO_MANY_STORED_BYTES -> LIMIT;
            case TOO_LARGE -> TOO_LARGE;
            case NOT_DURABLE -> NOT_DURABLE;
            case UNAVAILABLE -> INTERNAL_ERROR; // the ingest writes to its own store, which is always there
        };
    }

    /** The name in lower case, as the label value and the API show it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
