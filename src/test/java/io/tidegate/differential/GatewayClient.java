package io.tidegate.differential;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** Sends a {@link Request} to a gateway exactly as written: HTTP/1.1, no redirects followed, no decompression asked. */
final class GatewayClient {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    Answer send(GatewayUnderTest gateway, Request request) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(gateway.baseUri() + request.path()))
                .timeout(REQUEST_TIMEOUT)
                .method(request.method(), request.body() == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(request.body()));
        request.headers().forEach(builder::header);
        try {
            HttpResponse<byte[]> response = client.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
            Map<String, List<String>> headers = new HashMap<>();
            response.headers().map().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
            byte[] body = response.body();
            if ("gzip".equals(response.headers().firstValue("content-encoding").orElse(""))) {
                body = gunzip(body);
            }
            return new Answer(response.statusCode(), headers, body, null);
        } catch (IOException e) {
            return Answer.none(e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Answer.none("interrupted");
        }
    }

    /** A gzip-encoded answer is compared decoded; its Content-Encoding header is compared separately. */
    private static byte[] gunzip(byte[] body) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return in.readAllBytes();
        } catch (IOException e) {
            return ("(answer claims gzip but does not decode: " + e + ")").getBytes(StandardCharsets.UTF_8);
        }
    }
}
