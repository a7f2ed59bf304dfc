package io.tidegate.format;

/**
 * A push body that cannot be read. The message is fit to show the client as it is (it names the
 * line, or the byte offset, and what was wrong).
 */
public final class BodyFormatException extends Exception {
    public BodyFormatException(String message) {
        super(message, null, false, false);
    }
}
