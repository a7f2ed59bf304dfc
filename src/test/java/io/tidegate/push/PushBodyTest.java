package io.tidegate.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidegate.format.ParsedBody;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.SnappyFramedOutputStream;

/**
 * Which format a push's Content-Type selects: upstream's rule, delimited protobuf only for
 * {@code application/vnd.google.protobuf} with {@code proto=io.prometheus.client.MetricFamily} and
 * {@code encoding=delimited}, the text format for anything else.
 */
class PushBodyTest {
    private static final String PROTOBUF = "application/vnd.google.protobuf";
    private static final String PROTO = "proto=io.prometheus.client.MetricFamily";
    private static final String DELIMITED = "encoding=delimited";

    private static boolean protobuf(String contentType) {
        return PushBody.isDelimitedProtobuf(contentType);
    }

    @Test
    void delimitedProtobufNeedsTheTypeAndBothParametersInAnyOrder() {
        assertThat(protobuf(PROTOBUF + "; " + PROTO + "; " + DELIMITED)).isTrue();
        assertThat(protobuf(PROTOBUF + ";" + DELIMITED + ";" + PROTO)).isTrue();
        assertThat(protobuf(PROTOBUF + "; " + PROTO)).isFalse();
        assertThat(protobuf(PROTOBUF + "; " + DELIMITED)).isFalse();
        assertThat(protobuf(PROTOBUF)).isFalse();
        assertThat(protobuf("application/octet-stream; " + PROTO + "; " + DELIMITED)).isFalse();
    }

    @Test
    void withoutAContentTypeOrWithAnyOtherTheBodyIsText() {
        assertThat(protobuf(null)).isFalse();
        assertThat(protobuf("")).isFalse();
        assertThat(protobuf("text/plain; version=0.0.4")).isFalse();
        assertThat(protobuf("garbage/;;")).isFalse();
    }

    @Test
    void typeAndParameterNamesAreCaseInsensitiveButValuesAreNot() {
        assertThat(protobuf("Application/VND.Google.Protobuf; PROTO=io.prometheus.client.MetricFamily; Encoding=delimited"))
                .isTrue();
        assertThat(protobuf(PROTOBUF + "; proto=io.prometheus.client.metricfamily; " + DELIMITED)).isFalse();
        assertThat(protobuf(PROTOBUF + "; " + PROTO + "; encoding=Delimited")).isFalse();
    }

    @Test
    void valuesMayBeQuotedStrings() {
        assertThat(protobuf(PROTOBUF + "; proto=\"io.prometheus.client.MetricFamily\"; encoding=\"delimited\"")).isTrue();
        assertThat(protobuf(PROTOBUF + " ;\tproto = io.prometheus.client.MetricFamily ; encoding= delimited ")).isTrue();
    }

    @Test
    void aValueWithAStrayQuoteOrAnEscapeIsNotTheValue() {
        assertThat(protobuf(PROTOBUF + "; " + PROTO + "; encoding=delimited\"")).isFalse();
        assertThat(protobuf(PROTOBUF + "; " + PROTO + "; encoding=\"delimited")).isFalse();
        assertThat(protobuf(PROTOBUF + "; " + PROTO + "; encoding=\"delimited\"x")).isFalse();
        assertThat(protobuf(PROTOBUF + "; " + PROTO + "; encoding=\"delimi\\ted\"")).isFalse();
    }

    @Test
    void otherParametersAreOverlooked() {
        assertThat(protobuf(PROTOBUF + "; " + PROTO + "; " + DELIMITED + "; charset=utf-8")).isTrue();
        assertThat(protobuf(PROTOBUF + "; x=\"a; " + PROTO + "; " + DELIMITED)).isTrue();
    }

    @Test
    void theLastOfARepeatedParameterCounts() {
        assertThat(protobuf(PROTOBUF + "; " + PROTO + "; encoding=text; " + DELIMITED)).isTrue();
        assertThat(protobuf(PROTOBUF + "; " + PROTO + "; " + DELIMITED + "; encoding=text")).isFalse();
    }

    @Test
    void aParameterWithoutNameOrValueMakesItText() {
        assertThat(protobuf(PROTOBUF + "; junk; " + PROTO + "; " + DELIMITED)).isFalse();
        assertThat(protobuf(PROTOBUF + "; =x; " + PROTO + "; " + DELIMITED)).isFalse();
        assertThat(protobuf(PROTOBUF + ";; " + PROTO + "; " + DELIMITED)).isFalse();
        assertThat(protobuf(PROTOBUF + "; ; " + PROTO + "; " + DELIMITED)).isFalse();
        assertThat(protobuf(PROTOBUF + "; " + PROTO + "; " + DELIMITED + "; junk")).isFalse();
    }

    @Test
    void semicolonsMayEndIt() {
        assertThat(protobuf(PROTOBUF + "; " + PROTO + "; " + DELIMITED + ";")).isTrue();
        assertThat(protobuf(PROTOBUF + "; " + PROTO + "; " + DELIMITED + "; ")).isTrue();
        // Go's mime.ParseMediaType allows only one: upstream reads these as text
        assertThat(protobuf(PROTOBUF + "; " + PROTO + "; " + DELIMITED + ";;")).isTrue();
        assertThat(protobuf(PROTOBUF + "; " + PROTO + "; " + DELIMITED + "; ;")).isTrue();
        // but an empty parameter before the last one counts as one
        assertThat(protobuf(PROTOBUF + "; " + PROTO + "; " + DELIMITED + "; ; ")).isFalse();
        assertThat(protobuf(PROTOBUF + "; " + PROTO + "; " + DELIMITED + ";; ")).isFalse();
    }

    @Test
    void aContentTypeOfOnlySemicolonsIsText() {
        assertThat(protobuf(";")).isFalse();
        assertThat(protobuf(";;")).isFalse();
    }

    // --- the body's size, as sent and decompressed -----------------------------------------------

    private static final PushBody LIMITED = new PushBody(1000, io.tidegate.store.WriteLimits.DEFAULTS.body());

    private static ParsedBody read(String encoding, byte[] body) throws Exception {
        return LIMITED.read(null, encoding, new ByteArrayInputStream(body));
    }

    private static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(plain);
        }
        return bytes.toByteArray();
    }

    private static byte[] snappy(byte[] plain) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (SnappyFramedOutputStream out = new SnappyFramedOutputStream(bytes)) {
            out.write(plain);
        }
        return bytes.toByteArray();
    }

    /** 10 KB of comment lines: a valid text body, whose gzip is about 100 bytes. */
    private static byte[] tenKilobytesOfComments() {
        return "# nothing to see here, only a comment line\n".repeat(240).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aSmallBodyThatDecompressesPastTheLimitIsTooLargeNamingTheFlag() throws Exception {
        byte[] gzipped = gzip(tenKilobytesOfComments());
        assertThat(gzipped.length).isLessThan(1000);

        assertThatThrownBy(() -> read("gzip", gzipped)).isInstanceOf(PushBody.TooLargeException.class)
                .hasMessage("decompressed request body exceeds the limit of 1000 bytes (--push.max-body-size)");
        assertThatThrownBy(() -> read("snappy", snappy(tenKilobytesOfComments())))
                .isInstanceOf(PushBody.TooLargeException.class)
                .hasMessage("decompressed request body exceeds the limit of 1000 bytes (--push.max-body-size)");
    }

    @Test
    void aBodyPastTheLimitAsSentIsTooLargeAsSent() {
        assertThatThrownBy(() -> read(null, tenKilobytesOfComments())).isInstanceOf(PushBody.TooLargeException.class)
                .hasMessage("request body exceeds the limit of 1000 bytes (--push.max-body-size)");
    }

    @Test
    void aBodyThatDecompressesToTheLimitExactlyIsRead() throws Exception {
        byte[] plain = ("x 1\n" + "#".repeat(995) + "\n").getBytes(StandardCharsets.UTF_8);
        assertThat(plain).hasSize(1000);

        assertThat(read("gzip", gzip(plain)).families()).containsOnlyKeys("x");
        assertThat(read("snappy", snappy(plain)).families()).containsOnlyKeys("x");
        assertThat(read("identity", plain).families()).containsOnlyKeys("x");
    }

    @Test
    void anUnknownEncodingIsNotReadAsPlain() {
        assertThatThrownBy(() -> read("br", "x 1\n".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(PushBody.UnsupportedEncodingException.class)
                .hasMessage("unsupported Content-Encoding \"br\": send the body plain, gzip or snappy");
    }
}
