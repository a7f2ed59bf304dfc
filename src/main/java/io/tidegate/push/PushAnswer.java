package io.tidegate.push;

import java.util.Map;

/**
 * What the push adapter answers, for the web server to write: a status, the message of a plain-text
 * answer, written as upstream's {@code http.Error} writes it, or none, and headers.
 *
 * @param text the message of a plain-text answer; null for an answer without a body
 */
public record PushAnswer(int status, String text, Map<String, String> headers) {
    public PushAnswer {
        headers = Map.copyOf(headers);
    }

    /** An answer with no body. */
    static PushAnswer status(int status) {
        return new PushAnswer(status, null, Map.of());
    }

    /** A plain-text answer with {@code text}. */
    static PushAnswer plain(int status, String text) {
        return new PushAnswer(status, text, Map.of());
    }

    /** As Go's {@code http.NotFound}. */
    static PushAnswer notFound() {
        return plain(404, "404 page not found");
    }

    /** A temporary redirect to {@code location}, as upstream's router answers. */
    static PushAnswer redirect(String location) {
        return new PushAnswer(307, null, Map.of("Location", location));
    }
}
