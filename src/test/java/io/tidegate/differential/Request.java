package io.tidegate.differential;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One HTTP request of the differential scenario, sent unchanged to both gateways.
 *
 * @param method  HTTP method, sent as given (also unusual ones such as PATCH)
 * @param path    path and query exactly as they go on the wire (already percent-encoded)
 * @param headers request headers in the order given
 * @param body    request body, or {@code null} for none
 * @param section title of the scenario section the request belongs to, for the report
 */
public record Request(String method, String path, Map<String, String> headers, byte[] body, String section) {

    public Request {
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    public static Request of(String method, String path) {
        return new Request(method, path, Map.of(), null, "");
    }

    public Request withBody(String text) {
        return withBody(text.getBytes(StandardCharsets.UTF_8));
    }

    public Request withBody(byte[] bytes) {
        return new Request(method, path, headers, bytes, section);
    }

    public Request withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new Request(method, path, more, body, section);
    }

    Request inSection(String title) {
        return new Request(method, path, headers, body, title);
    }

    /** Whether the request may change what the gateway stores (everything but GET, HEAD and OPTIONS). */
    public boolean mayChangeState() {
        return !(method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS"));
    }

    public boolean isWipe() {
        return method.equals("PUT") && path.equals("/api/v1/admin/wipe");
    }

    /** {@code METHOD path}. */
    public String line() {
        return method + " " + path;
    }

    /** {@code METHOD path} and, if any, the headers as {@code {Name=value, ...}}: what known differences match. */
    public String signature() {
        return headers.isEmpty() ? line() : line() + " " + headers;
    }

    /** The body for a human: text with escapes shown, binary as a hex excerpt. */
    public String bodyExcerpt(int maxChars) {
        if (body == null) {
            return "(no body)";
        }
        return Excerpts.of(body, maxChars);
    }
}
