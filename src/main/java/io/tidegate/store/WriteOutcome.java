package io.tidegate.store;

/**
 * What became of a write: applied; rejected as invalid or inconsistent with what is stored, with a
 * message fit to show the client (the write changed nothing but the group's
 * {@code push_failure_time_seconds}); or over one of the {@link WriteLimits}, which stored nothing
 * at all.
 *
 * @param rejection why the write was not applied; null when it was
 * @param overLimit the bound it passed, when that is why; its kind decides the answer (HTTP status, MQTT reason)
 */
public record WriteOutcome(String rejection, WriteLimits.Violation overLimit) {
    private static final WriteOutcome APPLIED = new WriteOutcome(null, null);

    public static WriteOutcome applied() {
        return APPLIED;
    }

    public static WriteOutcome rejected(String message) {
        return new WriteOutcome(message, null);
    }

    public static WriteOutcome overLimit(WriteLimits.Violation violation) {
        return new WriteOutcome(violation.message(), violation);
    }

    public boolean wasApplied() {
        return rejection == null;
    }
}
