package io.tidegate;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;
import io.tidegate.differential.ProtobufBodies;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.xerial.snappy.SnappyFramedOutputStream;

/**
 * Thousands of random and near-valid bodies (text, protobuf; plain, gzip, snappy) thrown at the
 * push path: every answer is a 2xx or a 4xx, a rejected push changes nothing, the server stays
 * healthy and a group nobody touched stays exactly as it was.
 */
class PushFuzzIT {
    private static final String PROTOBUF = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";
    private static final String VALID_TEXT = """
            # HELP temp_celsius Temperature.
            # TYPE temp_celsius gauge
            temp_celsius{room="kitchen"} 21.5
            temp_celsius{room="hall \\"north\\""} -3e-2
            # TYPE requests_total counter
            requests_total{code="200"} 1027
            # TYPE latency_seconds histogram
            latency_seconds_bucket{le="0.1"} 3
            latency_seconds_bucket{le="+Inf"} 6
            latency_seconds_sum 2.5
            latency_seconds_count 6
            # TYPE rpc_seconds summary
            rpc_seconds{quantile="0.99"} NaN
            rpc_seconds_sum 10
            rpc_seconds_count 40
            """;

    private static final RunningTidegate tidegate = new RunningTidegate();
    private static TestHttp http;
    private static String sentinel;

    enum Encoding { IDENTITY, GZIP, SNAPPY }

    @BeforeContainer
    static void start() {
        http = tidegate.start("--push.max-body-size=64KiB").http();
        assertThat(http.put("/metrics/job/sentinel", VALID_TEXT.replace("temp_celsius", "sentinel_celsius")).status())
                .isEqualTo(200);
        sentinel = linesOf("sentinel");
        // the fuzzed group exists from the start: a rejected first push must change nothing either
        assertThat(http.put("/metrics/job/fuzz", VALID_TEXT).status()).isEqualTo(200);
    }

    @AfterContainer
    static void stop() {
        assertThat(http.get("/-/healthy").body()).isEqualTo("OK");
        assertThat(linesOf("sentinel")).isEqualTo(sentinel);
        tidegate.close();
    }

    @Property(tries = 2500)
    void textBodiesAreAnsweredWithoutHarm(@ForAll("textBodies") byte[] body, @ForAll Encoding encoding) {
        pushAndCheck(body, null, encoding);
    }

    @Property(tries = 2500)
    void protobufBodiesAreAnsweredWithoutHarm(@ForAll("protobufBodies") byte[] body, @ForAll Encoding encoding) {
        pushAndCheck(body, PROTOBUF, encoding);
    }

    @Property(tries = 500)
    void corruptCompressedBodiesAreAnsweredWithoutHarm(@ForAll("textBodies") byte[] body, @ForAll Encoding encoding,
            @ForAll("flips") int[] flips) {
        byte[] compressed = encode(body, encoding);
        for (int i = 0; i < flips.length && compressed.length > 0; i++) {
            int flip = flips[i];
            compressed[Math.floorMod(flip, compressed.length)] ^= (byte) (1 << (flip & 7));
        }
        send(compressed, null, encoding);
    }

    // --- headers ------------------------------------------------------------------------------------

    /** A request with one header a client controls set to anything: what it is sent to, and the header. */
    record HeaderRequest(String method, String path, String header, String value) {}

    @Property(tries = 1500)
    void anyHeaderAClientControlsIsAnsweredWithoutA5xx(@ForAll("headerRequests") HeaderRequest request) {
        boolean push = request.method().equals("PUT") || request.method().equals("POST");
        String before = linesOf("fuzz");
        TestHttp.Answer answer = http.send(request.method(), request.path(),
                push ? VALID_TEXT.getBytes(StandardCharsets.UTF_8) : null, request.header(), request.value());

        assertThat(answer.status()).as("%s: %s", request, answer.body()).isBetween(200, 499);
        assertThat(answer.body()).as("%s", request).doesNotContain("internal error");
        if (push && answer.status() >= 400) {
            assertThat(linesOf("fuzz")).as("a refused push changed the group").isEqualTo(before);
        }
    }

    @Provide
    Arbitrary<HeaderRequest> headerRequests() {
        Arbitrary<String[]> target = Arbitraries.of(new String[] {"PUT", "/metrics/job/fuzz"},
                new String[] {"POST", "/metrics/job/fuzz"}, new String[] {"DELETE", "/metrics/job/fuzz-other"},
                new String[] {"GET", "/metrics"}, new String[] {"GET", "/api/v1/metrics"},
                new String[] {"GET", "/api/v1/status"}, new String[] {"GET", "/"}, new String[] {"HEAD", "/"},
                new String[] {"GET", "/-/ready"});
        Arbitrary<String> header = Arbitraries.of("Content-Type", "Content-Encoding", "Accept", "Accept-Encoding",
                "Push-TTL", "Authorization");
        // the words these headers are made of, joined by their separators, and plain noise
        Arbitrary<String> word = Arbitraries.of("text/plain", "application/vnd.google.protobuf",
                "application/openmetrics-text", "*/*", "text/*", "proto=io.prometheus.client.MetricFamily",
                "encoding=delimited", "version=0.0.4", "version=1.0.0", "escaping=underscores", "q=0", "q=0.5", "q=abc",
                "q=", "charset=utf-8", "gzip", "snappy", "identity", "deflate", "br", "Basic", "Bearer", "YWxpY2U6eA==",
                "5m", "-1s", "1e9", "1h30m", "9999999999999999999s", "NaN", "0", "\"", "\\", "=", "", " ");
        Arbitrary<String> separator = Arbitraries.of(";", ",", " ", "=", "; ", ", ", "");
        Arbitrary<String> composed = Combinators.combine(word.list().ofMinSize(1).ofMaxSize(5),
                separator.list().ofMinSize(5).ofMaxSize(5)).as((words, separators) -> {
                    StringBuilder value = new StringBuilder();
                    for (int i = 0; i < words.size(); i++) {
                        value.append(words.get(i)).append(separators.get(i));
                    }
                    return value.toString();
                });
        Arbitrary<String> noise = Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(40);
        Arbitrary<String> value = Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, composed),
                net.jqwik.api.Tuple.of(1, noise), net.jqwik.api.Tuple.of(1, Arbitraries.of(";;;;", ";", ",", "=", "\"")));
        return Combinators.combine(target, header, value).as((t, h, v) -> new HeaderRequest(t[0], t[1], h, v));
    }

    /** The findings of a hostile round, each as its client saw it. */
    @Example
    void hostileHeadersOfTheFindingsAreAnsweredAsTheReadmeSays() throws IOException {
        assertThat(http.put("/metrics/job/fuzz-headers", "x 1\n", "Content-Type", ";;;;").status()).isEqualTo(200);
        assertThat(http.get("/metrics", "Accept-Encoding", ";;;").status()).isEqualTo(200);

        TestHttp.Answer brotli = http.put("/metrics/job/fuzz-headers", "x 2\n", "Content-Encoding", "br");
        assertThat(brotli.status()).isEqualTo(415);
        assertThat(brotli.body()).isEqualTo("unsupported Content-Encoding \"br\": send the body plain, gzip or snappy\n");

        // 200 KB of comments, a few hundred bytes gzipped: past the 64 KiB limit once decompressed
        byte[] bomb = encode("# a comment line of forty bytes or so..\n".repeat(5000).getBytes(StandardCharsets.UTF_8),
                Encoding.GZIP);
        assertThat(bomb.length).isLessThan(4096);
        TestHttp.Answer decompressed = http.send("PUT", "/metrics/job/fuzz-headers", bomb, "Content-Encoding", "gzip");
        assertThat(decompressed.status()).isEqualTo(413);
        assertThat(decompressed.body())
                .isEqualTo("decompressed request body exceeds the limit of 65536 bytes (--push.max-body-size)\n");

        TestHttp.Answer delete = http.delete("/metrics/job/%FF");
        assertThat(delete.status()).isEqualTo(400);
        assertThat(delete.body()).isEqualTo("the push path is not valid UTF-8 once percent-decoded: /metrics/job/%FF\n");

        TestHttp.Answer head = http.send("HEAD", "/", null);
        assertThat(head.header("Content-Security-Policy")).startsWith("default-src 'self'");

        for (String method : new String[] {"PUT", "DELETE"}) {
            String answer = raw(method + " /metrics/job/a%zz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
                    + "Connection: close\r\n\r\n");
            assertThat(answer).as(method).startsWith("HTTP/1.1 400 ").contains("Content-Type: text/plain");
            assertThat(answer.substring(answer.indexOf("\r\n\r\n") + 4)).as(method).startsWith("400 Bad Request");
            assertThat(answer).as(method).doesNotContain("<html>");
        }
        assertThat(linesOf("fuzz-headers")).contains("x{instance=\"\",job=\"fuzz-headers\"} 1");
    }

    /** One request written as given, the whole answer read until the server closes the connection. */
    private static String raw(String request) throws IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", tidegate.port())) {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void pushAndCheck(byte[] body, String contentType, Encoding encoding) {
        String before = linesOf("fuzz");
        TestHttp.Answer answer = send(encode(body, encoding), contentType, encoding);
        if (answer.status() >= 400) {
            assertThat(linesOf("fuzz")).as("a rejected push changed the group").isEqualTo(before);
        }
    }

    private static TestHttp.Answer send(byte[] body, String contentType, Encoding encoding) {
        String[] headers = contentType == null ? new String[0] : new String[] {"Content-Type", contentType};
        if (encoding != Encoding.IDENTITY) {
            headers = Arrays.copyOf(headers, headers.length + 2);
            headers[headers.length - 2] = "Content-Encoding";
            headers[headers.length - 1] = encoding.name().toLowerCase();
        }
        TestHttp.Answer answer = http.send("PUT", "/metrics/job/fuzz", body, headers);
        assertThat(answer.status()).as(answer.body()).isBetween(200, 499);
        return answer;
    }

    /** The scraped lines of one job, except its failure time, which a rejected push sets. */
    private static String linesOf(String job) {
        return http.get("/metrics").body().lines()
                .filter(line -> line.contains("job=\"" + job + "\"") && !line.startsWith("push_failure_time_seconds"))
                .collect(Collectors.joining("\n"));
    }

    @Provide
    Arbitrary<byte[]> textBodies() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(600);
        Arbitrary<byte[]> mutated = mutations(VALID_TEXT.getBytes(StandardCharsets.UTF_8),
                "{}\"\\=,\n #+-eE.0123456789_:aTYPEHELP\r\t\u00e9".getBytes(StandardCharsets.UTF_8));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(1, random), net.jqwik.api.Tuple.of(4, mutated));
    }

    @Provide
    Arbitrary<byte[]> protobufBodies() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<byte[]> mutated = mutations(validProtobuf(), new byte[] {0, 1, 2, 8, 10, 18, 26, 34, 127, -1, -128});
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(1, random), net.jqwik.api.Tuple.of(4, mutated));
    }

    @Provide
    Arbitrary<int[]> flips() {
        return Arbitraries.integers().array(int[].class).ofMinSize(1).ofMaxSize(4);
    }

    /** A valid body with a few edits: bytes deleted, replaced or inserted, a slice repeated, a cut. */
    private static Arbitrary<byte[]> mutations(byte[] valid, byte[] alphabet) {
        Arbitrary<int[]> positions = Arbitraries.integers().between(0, valid.length).array(int[].class).ofMinSize(1).ofMaxSize(4);
        Arbitrary<Integer> kind = Arbitraries.integers().between(0, 4);
        Arbitrary<Integer> pick = Arbitraries.integers().between(0, alphabet.length - 1);
        return Combinators.combine(positions, kind, pick).as((at, how, which) -> {
            byte[] body = valid.clone();
            for (int position : at) {
                int p = Math.min(position, body.length - 1);
                switch (how) {
                    case 0 -> body = concat(Arrays.copyOf(body, p), Arrays.copyOfRange(body, p + 1, body.length));
                    case 1 -> body[p] = alphabet[which];
                    case 2 -> body = concat(concat(Arrays.copyOf(body, p), new byte[] {alphabet[which]}),
                            Arrays.copyOfRange(body, p, body.length));
                    case 3 -> body = concat(body, Arrays.copyOfRange(body, p, Math.min(body.length, p + 40)));
                    default -> body = Arrays.copyOf(body, p);
                }
                if (body.length == 0) {
                    break;
                }
            }
            return body;
        });
    }

    private static byte[] validProtobuf() {
        return ProtobufBodies.delimited(
                Metrics.MetricFamily.newBuilder().setName("temp_celsius").setHelp("Temperature.")
                        .setType(Metrics.MetricType.GAUGE)
                        .addMetric(Metrics.Metric.newBuilder()
                                .addLabel(Metrics.LabelPair.newBuilder().setName("room").setValue("kitchen"))
                                .setGauge(Metrics.Gauge.newBuilder().setValue(21.5)))
                        .build(),
                Metrics.MetricFamily.newBuilder().setName("latency_seconds").setType(Metrics.MetricType.HISTOGRAM)
                        .addMetric(Metrics.Metric.newBuilder().setHistogram(Metrics.Histogram.newBuilder()
                                .setSampleCount(6).setSampleSum(2.5)
                                .addBucket(Metrics.Bucket.newBuilder().setUpperBound(0.1).setCumulativeCount(3))))
                        .build());
    }

    private static byte[] encode(byte[] body, Encoding encoding) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            switch (encoding) {
                case GZIP -> {
                    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
                        out.write(body);
                    }
                }
                case SNAPPY -> {
                    try (SnappyFramedOutputStream out = new SnappyFramedOutputStream(bytes)) {
                        out.write(body);
                    }
                }
                default -> bytes.write(body);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }
}
