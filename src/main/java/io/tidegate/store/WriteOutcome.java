package io.tidegate.store;

import io.tidegate.format.Refusal;

/**
 * What became of a write: applied, or refused. The {@link Store} refuses a write as invalid or
 * inconsistent with what is stored ({@link Refusal.Reason#INCONSISTENT}: the write changed nothing
 * but the group's {@code push_failure_time_seconds}) or as over one of the {@link WriteLimits} (which
 * stored nothing at all); a writer that replicates through the MQTT broker also refuses what the
 * broker did not take ({@link Refusal.Reason#UNAVAILABLE}, {@link Refusal.Reason#TOO_LARGE}: applied
 * nowhere). The refusal's reason decides the answer (HTTP status, MQTT reason), its message is fit to
 * show the client.
 *
 * @param refusal why the write was not applied; null when it was
 */
public record WriteOutcome(Refusal refusal) {
    private static final WriteOutcome APPLIED = new WriteOutcome(null);

    public static WriteOutcome applied() {
        return APPLIED;
    }

    /** Refused as invalid or inconsistent with what is stored. */
    public static WriteOutcome rejected(String message) {
        return refused(new Refusal(Refusal.Reason.INCONSISTENT, message));
    }

    public static WriteOutcome overLimit(WriteLimits.Violation violation) {
        return refused(violation.refusal());
    }

    /** Not stored, since the {@link WriteLog} cannot make anything durable now ({@code failure} says why). */
    public static WriteOutcome notDurable(String failure) {
        return refused(new Refusal(Refusal.Reason.NOT_DURABLE, "nothing was stored: " + failure));
    }

    public static WriteOutcome refused(Refusal refusal) {
        return new WriteOutcome(refusal);
    }

    public boolean wasApplied() {
        return refusal == null;
    }
}
