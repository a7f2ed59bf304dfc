package io.tidegate.mqtt;

import java.util.Locale;

/**
 * A field an optional metric of a mapping rule left out of a message it applied, as
 * {@code tidegate_mqtt_fields_skipped_total{rule,reason}} counts it: the rest of the message was written.
 *
 * @param field the metric's JSON path, with the key {@code *} matched or the array element where there is one
 *     ({@code params.humidity:0.rh}, {@code ENERGY.Power[2]})
 * @param reason why
 * @param detail what was there instead, fit to show an operator ({@code "an array, not a number"})
 */
public record SkippedField(String field, Reason reason, String detail) {

    public enum Reason {
        /** The field is not in the payload, or is {@code null}: a device that does not send it, or not this time. */
        MISSING,
        /** The field is an object, an array where no array is taken, or a string no value map knows. */
        WRONG_TYPE;

        /** The name in lower case, as the label value shows it. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** For logs and the dry run: {@code ENERGY.Power (wrong_type: an array, not a number)}. */
    @Override
    public String toString() {
        return field + " (" + reason.label() + (detail == null ? "" : ": " + detail) + ")";
    }
}
