package io.tidegate.mqtt;

import java.util.Locale;

/**
 * Why a message was deliberately not applied, as the {@code reason} label of
 * {@code tidegate_mqtt_messages_skipped_total} names it.
 */
public enum SkipReason {
    /** A retained copy of the message last applied on its topic. */
    RETAINED_SEEN,
    /** A retained message never applied, with {@code --mqtt.retained=ignore-unseen}. */
    RETAINED_UNSEEN,
    /**
     * A message the {@code mqtt_mappings} rules take nothing from: on a topic a rule's filter matches but
     * whose {@code where} conditions leave it out, with a JSON payload the {@code when} conditions of the
     * rule that applies leave out, or carrying none of that rule's metrics (all of them optional).
     * Expected, so not a rejection.
     */
    UNMAPPED,
    /** A replicated write already applied: a second copy of one message id. */
    DUPLICATE,
    /**
     * A group's state kept by the broker ({@link GroupStates}) that was not needed: held here as written
     * then or later, expired, another shard's group, or a live copy (the write itself comes on the
     * group's topic).
     */
    GROUP_STATE,
    /** A Home Assistant discovery config of a component other than sensor and binary_sensor: not mapped. */
    DISCOVERY_COMPONENT,
    /**
     * A discovered entity's state that gives no value: not a number (a text sensor), {@code unknown} or
     * {@code unavailable}, or a template meeting a key the message does not have.
     */
    DISCOVERY_NO_VALUE;

    /** The name in lower case, as the label value and the API show it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
