package io.tidegate.store;

/**
 * What became of a write: applied, or rejected with a message fit to show the client. A rejected
 * write changed nothing but the group's {@code push_failure_time_seconds}.
 */
public record WriteOutcome(String rejection) {
    private static final WriteOutcome APPLIED = new WriteOutcome(null);

    public static WriteOutcome applied() {
        return APPLIED;
    }

    public static WriteOutcome rejected(String message) {
        return new WriteOutcome(message);
    }

    public boolean wasApplied() {
        return rejection == null;
    }
}
