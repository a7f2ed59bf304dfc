package io.tidegate.format;

/**
 * A write refused: the user is wrong (or, for {@link Reason#UNAVAILABLE}, must try again), and the
 * message says why, fit to show them as it is. The reason decides how each adapter answers it: the
 * HTTP push adapter with a status, the MQTT ingest with the reason it counts a rejected message under.
 */
public record Refusal(Reason reason, String message) {
    /** What is refused, as each adapter needs to tell it apart. */
    public enum Reason {
        /**
         * The push path (or topic) names no grouping key: an odd label path, a bad label name or base64
         * value, no job.
         */
        BAD_PATH,
        /** The body does not parse as the format it comes in. */
        BAD_BODY,
        /** The push's own TTL is not a duration. */
        BAD_TTL,
        /**
         * The store refused the write as invalid or inconsistent with what it holds (a type conflict, a
         * duplicate series, a timestamp); it changed nothing but its group's {@code push_failure_time_seconds}.
         */
        INCONSISTENT,
        /** More series than {@code --push.max-series}: the write is too large; nothing was stored. */
        TOO_MANY_SERIES,
        /**
         * A series with more labels than {@code --push.max-labels-per-series}, or a label name or value
         * longer than its limit; nothing was stored.
         */
        OVERSIZED_LABELS,
        /**
         * A new group while {@code --store.max-groups} are held: possible again once groups expire;
         * nothing was stored.
         */
        TOO_MANY_GROUPS,
        /**
         * A write that would take the series held over {@code --store.max-series}: possible again once
         * groups expire or are deleted; nothing was stored.
         */
        TOO_MANY_STORED_SERIES,
        /**
         * A write that would take the heap the groups held take over {@code --store.max-bytes}: possible
         * again once groups expire or are deleted; nothing was stored.
         */
        TOO_MANY_STORED_BYTES,
        /** Larger than its limit: a push body, an MQTT payload, or the message that would replicate a push. */
        TOO_LARGE,
        /**
         * The MQTT broker a replicated write goes through is not connected, or did not acknowledge it:
         * the write was applied nowhere.
         */
        UNAVAILABLE,
        /**
         * The write could not be made durable: the persistence journal is failing (a full disk). Nothing
         * was stored; the same write succeeds once the journal recovers.
         */
        NOT_DURABLE
    }
}
