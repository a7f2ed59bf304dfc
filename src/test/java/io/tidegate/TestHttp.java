package io.tidegate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A small HTTP client for tests: one call per request, answers as status, headers and body. */
public final class TestHttp {
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    private final String base;

    public TestHttp(int port) {
        this("127.0.0.1", port);
    }

    /** To a server on another loopback address ({@code 127.0.0.2}). */
    public TestHttp(String host, int port) {
        this.base = "http://" + host + ":" + port;
    }

    public record Answer(int status, String body, byte[] bytes, Map<String, java.util.List<String>> headers) {
        public String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0))
                    .findFirst().orElse(null);
        }
    }

    public Answer get(String path, String... headers) {
        return send("GET", path, null, headers);
    }

    public Answer put(String path, String body, String... headers) {
        return send("PUT", path, body.getBytes(java.nio.charset.StandardCharsets.UTF_8), headers);
    }

    public Answer post(String path, String body, String... headers) {
        return send("POST", path, body.getBytes(java.nio.charset.StandardCharsets.UTF_8), headers);
    }

    public Answer delete(String path) {
        return send("DELETE", path, null);
    }

    /** Any method, raw body bytes (null for none), headers as name, value, name, value... */
    public Answer send(String method, String path, byte[] body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<byte[]> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            byte[] bytes = response.body();
            return new Answer(response.statusCode(), new String(bytes, java.nio.charset.StandardCharsets.UTF_8), bytes,
                    response.headers().map());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
