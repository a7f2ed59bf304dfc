package io.tidegate.push;

import io.tidegate.format.Refusal;
import io.tidegate.store.WriteRequest;

/** What a request to a push route asks for, read from the request alone ({@link PushHandler#command}). */
sealed interface PushCommand {
    /** A write, for the writer to apply. */
    record Write(WriteRequest request) implements PushCommand {}

    /** A request refused before it became a write: the pusher must fix it. */
    record Refuse(Refusal refusal) implements PushCommand {}

    /**
     * A request answered as upstream answers it without a write: its router's 404 and redirect for a
     * path its push route does not take, and 202 for a delete of a key no group can have.
     */
    record Answer(PushAnswer answer) implements PushCommand {}
}
