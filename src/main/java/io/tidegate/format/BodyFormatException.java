package io.tidegate.format;

/**
 * A push body that cannot be read. The message is fit to show the client as it is (it names the
 * line, or the byte offset, and what was wrong). Most do not parse ({@link Refusal.Reason#BAD_BODY});
 * a body a parser stopped reading at a series past one of the {@link BodyLimits} has that refusal's
 * reason, so every adapter answers it as the store's own check of the bound.
 */
public final class BodyFormatException extends Exception {
    private final Refusal.Reason reason;

    public BodyFormatException(String message) {
        super(message, null, false, false);
        this.reason = Refusal.Reason.BAD_BODY;
    }

    /** A body refused for {@code refusal}'s reason, with its message. */
    public BodyFormatException(Refusal refusal) {
        super(refusal.message(), null, false, false);
        this.reason = refusal.reason();
    }

    /** Why the body is refused: {@link Refusal.Reason#BAD_BODY}, or the bound it passes. */
    public Refusal.Reason reason() {
        return reason;
    }

    /** The refusal this is, to answer the client with. */
    public Refusal refusal() {
        return new Refusal(reason, getMessage());
    }
}
