package io.tidegate.mqtt;

import java.util.Locale;

/**
 * What to do with a retained message Tidegate has not applied before ({@code --mqtt.retained}).
 * A retained copy of the message last applied on its topic is never applied, whatever the mode.
 */
public enum RetainedMode {
    /** Apply it (it is the best value known) and mark its group retained until a live message comes. */
    APPLY,
    /** Skip it, so a device shows up only once it publishes live. */
    IGNORE_UNSEEN;

    /** The spelling of the flag value: {@code apply} or {@code ignore-unseen}. */
    public String flagValue() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** @throws IllegalArgumentException for anything but {@code apply} or {@code ignore-unseen} */
    public static RetainedMode parse(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        for (RetainedMode mode : values()) {
            if (mode.flagValue().equals(value)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("invalid retained mode \"" + text + "\": use apply or ignore-unseen");
    }

    @Override
    public String toString() {
        return flagValue();
    }
}
