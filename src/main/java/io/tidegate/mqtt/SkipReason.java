package io.tidegate.mqtt;

import java.util.Locale;

/**
 * Why a retained message was deliberately not applied, as the {@code reason} label of
 * {@code tidegate_mqtt_messages_skipped_total} names it.
 */
public enum SkipReason {
    /** A retained copy of the message last applied on its topic. */
    RETAINED_SEEN,
    /** A retained message never applied, with {@code --mqtt.retained=ignore-unseen}. */
    RETAINED_UNSEEN;

    /** The name in lower case, as the label value and the API show it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
