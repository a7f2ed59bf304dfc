package io.tidegate.differential;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A gateway's answer to one request.
 *
 * @param status  HTTP status code, or -1 if no answer came (connection refused, timeout)
 * @param headers response headers, names in lower case
 * @param body    response body bytes
 * @param failure why no answer came, or {@code null}
 */
public record Answer(int status, Map<String, List<String>> headers, byte[] body, String failure) {

    public static Answer none(String failure) {
        return new Answer(-1, Map.of(), new byte[0], failure);
    }

    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The first value of a header, or {@code null}. */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    public String summary(int maxChars) {
        if (status == -1) {
            return "no answer: " + failure;
        }
        return status + " " + Excerpts.of(body, maxChars);
    }
}
