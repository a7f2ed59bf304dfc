package io.tidegate.mqtt;

import io.tidegate.key.GroupingKey;
import io.tidegate.store.WriteRequest;
import java.util.List;

/**
 * What the ingest made of one message: what the live path counts and logs, and what
 * {@code tidegate mappings test} prints.
 *
 * @param rule the name of the {@code mqtt_mappings} rule that applied; null for Tidegate's own topics
 * @param write for {@link Kind#WRITTEN}: the write applied (a DELETE for an empty payload)
 * @param offline for {@link Kind#OFFLINE}: the labels every deleted group had; for {@link Kind#ADOPTED}: the
 *     group taken
 * @param deletedGroups for {@link Kind#OFFLINE}: how many groups that deleted
 * @param skipped for {@link Kind#SKIPPED}
 * @param rejection for {@link Kind#REJECTED}
 * @param message for {@link Kind#REJECTED}: why; for {@link Kind#SKIPPED}: why, when there is more to say than the reason
 * @param discovery for {@link Kind#DISCOVERED}: what Home Assistant discovery made of the message; for a
 *     {@link Kind#REJECTED} discovery refused, empty (see {@link #keepsFromOthers})
 * @param skippedFields the fields optional metrics of the rule left out of the message (written or skipped)
 */
public record MqttOutcome(Kind kind, String rule, WriteRequest write, GroupingKey offline, int deletedGroups,
        SkipReason skipped, RejectReason rejection, String message, Discovered discovery,
        List<SkippedField> skippedFields) {

    public MqttOutcome {
        skippedFields = skippedFields == null ? List.of() : List.copyOf(skippedFields);
    }

    /** The same outcome, with the fields the rule left out of the message. */
    MqttOutcome withSkippedFields(List<SkippedField> fields) {
        return fields.isEmpty() ? this
                : new MqttOutcome(kind, rule, write, offline, deletedGroups, skipped, rejection, message, discovery, fields);
    }

    /**
     * What Home Assistant discovery made of a message: for a config, what became of the entity ({@code config},
     * in words); for a state or availability message, each entity's write, the groups deleted, and each entity
     * that got no value and why.
     */
    public record Discovered(String config, List<WriteRequest> writes, List<GroupingKey> deleted, List<String> dropped) {
    }

    public enum Kind {
        /** The message became a write to the store. */
        WRITTEN,
        /** An availability rule's {@code offline}: the device's groups were deleted. */
        OFFLINE,
        /** An availability rule's {@code online} (or an empty availability payload): nothing to do. */
        ONLINE,
        /** A group's state kept by the broker, taken as another replica holds the group ({@link GroupStates}). */
        ADOPTED,
        /** A Home Assistant discovery config taken, or an entity's state or availability applied. */
        DISCOVERED,
        /** Deliberately not applied. */
        SKIPPED,
        /** Could not be applied; the group keeps its old value. */
        REJECTED
    }

    static MqttOutcome written(String rule, WriteRequest write) {
        return new MqttOutcome(Kind.WRITTEN, rule, write, null, 0, null, null, null, null, List.of());
    }

    static MqttOutcome adopted(GroupingKey group) {
        return new MqttOutcome(Kind.ADOPTED, null, null, group, 0, null, null, null, null, List.of());
    }

    static MqttOutcome offline(String rule, GroupingKey labels, int deletedGroups) {
        return new MqttOutcome(Kind.OFFLINE, rule, null, labels, deletedGroups, null, null, null, null, List.of());
    }

    static MqttOutcome online(String rule) {
        return new MqttOutcome(Kind.ONLINE, rule, null, null, 0, null, null, null, null, List.of());
    }

    static MqttOutcome skipped(String rule, SkipReason reason) {
        return new MqttOutcome(Kind.SKIPPED, rule, null, null, 0, reason, null, null, null, List.of());
    }

    static MqttOutcome skipped(SkipReason reason, String why) {
        return new MqttOutcome(Kind.SKIPPED, null, null, null, 0, reason, null, why, null, List.of());
    }

    /**
     * A rejection by Home Assistant discovery: the message is Home Assistant's too (a config, or a device's state),
     * so the embedded broker still delivers and retains it for others ({@link #keepsFromOthers}).
     */
    static MqttOutcome rejectedByDiscovery(Rejection rejection) {
        return new MqttOutcome(Kind.REJECTED, null, null, null, 0, null, rejection.reason(), rejection.message(),
                new Discovered(null, List.of(), List.of(), List.of()), List.of());
    }

    /**
     * Whether the embedded broker keeps the message from its other subscribers and its retained store: a rejected
     * message on Tidegate's topics is; one discovery rejected is not, since it is Home Assistant's message too.
     */
    public boolean keepsFromOthers() {
        return kind == Kind.REJECTED && discovery == null;
    }

    static MqttOutcome discovered(Discovered discovered) {
        return new MqttOutcome(Kind.DISCOVERED, null, null, null, 0, null, null, null, discovered, List.of());
    }

    static MqttOutcome rejected(String rule, Rejection rejection) {
        return new MqttOutcome(Kind.REJECTED, rule, null, null, 0, null, rejection.reason(), rejection.message(), null, List.of());
    }
}
