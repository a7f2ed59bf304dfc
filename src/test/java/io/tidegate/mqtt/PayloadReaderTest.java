package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.store.WriteLimits;
import io.tidegate.store.Verb;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * What an MQTT 5 content type makes of a payload: {@code text/plain} (version 0.0.4 and charset utf-8
 * if it says) Prometheus text, {@code application/json} (charset utf-8 if it says) JSON, anything
 * else refused; without one, the payload is sniffed.
 */
class PayloadReaderTest {
    private static final String TEXT = "x 1\n";
    private static final String JSON = "{\"x\": 1}";

    private final PayloadReader reader = new PayloadReader(WriteLimits.DEFAULTS.body());

    private PayloadReader.Read read(String payload, String contentType) {
        return reader.read(payload.getBytes(StandardCharsets.UTF_8), contentType, null);
    }

    /** Read as text: a text payload is accepted, a JSON one is not text. */
    private void assertText(String contentType) {
        assertThat(read(TEXT, contentType).verb()).as(contentType).isEqualTo(Verb.PUT);
        assertThat(read(JSON, contentType).rejection().reason()).as(contentType).isEqualTo(RejectReason.BAD_PAYLOAD);
    }

    /** Read as JSON: a JSON payload is accepted, a text one is not JSON. */
    private void assertJson(String contentType) {
        assertThat(read(JSON, contentType).verb()).as(contentType).isEqualTo(Verb.PUT);
        assertThat(read(TEXT, contentType).rejection().reason()).as(contentType).isEqualTo(RejectReason.BAD_PAYLOAD);
    }

    private void assertUnsupported(String contentType) {
        assertThat(read(TEXT, contentType).rejection().reason()).as(contentType)
                .isEqualTo(RejectReason.UNSUPPORTED_CONTENT_TYPE);
        assertThat(read(JSON, contentType).rejection().reason()).as(contentType)
                .isEqualTo(RejectReason.UNSUPPORTED_CONTENT_TYPE);
    }

    @Test
    void textPlainIsTextInVersion004AndUtf8() {
        assertText("text/plain");
        assertText("text/plain; version=0.0.4");
        assertText("TEXT/Plain; Version=0.0.4; CHARSET=UTF-8");
        assertText("text/plain;version=\"0.0.4\";charset=\"utf-8\"");
        assertUnsupported("text/plain; version=1.0.0");
        assertUnsupported("text/plain; charset=latin1");
    }

    @Test
    void applicationJsonIsJsonInUtf8WithoutAVersion() {
        assertJson("application/json");
        assertJson("Application/JSON; charset=UTF-8");
        assertUnsupported("application/json; charset=utf-16");
        assertUnsupported("application/json; version=0.0.4");
    }

    @Test
    void anyOtherTypeIsRefused() {
        assertUnsupported("application/xml");
        assertUnsupported("text/html");
        assertUnsupported("text/plainly");
        assertUnsupported("text");
        assertUnsupported(";");
        assertUnsupported("text/plain\u0000");
    }

    @Test
    void aBlankContentTypeCountsAsNone() {
        assertThat(read(JSON, "").verb()).isEqualTo(Verb.PUT);
        assertThat(read(JSON, " \t").verb()).isEqualTo(Verb.PUT);
        assertThat(read(TEXT, " ").verb()).isEqualTo(Verb.PUT);
    }

    @Test
    void whitespaceAroundTheTypeAndItsParametersIsOverlooked() {
        assertText(" text/plain ;\tversion = 0.0.4 \n");
        assertText("\u2003text/plain\u2003");
        assertJson("\napplication/json;charset= utf-8");
    }

    @Test
    void otherParametersEmptyOnesAndStrayQuotesAreOverlooked() {
        assertText("text/plain; format=x; ; junk;");
        assertText("text/plain;=");
        assertText("text/plain; version=\"0.0.4");
        assertText("text/plain; version=0.0.4\"");
        assertJson("application/json; charset=utf-8\"");
    }

    @Test
    void aVersionOrCharsetWithoutValueIsRefused() {
        assertUnsupported("text/plain; version");
        assertUnsupported("text/plain; charset");
        assertUnsupported("application/json; charset=");
    }

    @Test
    void everyRepeatOfAVersionOrCharsetMustBeRight() {
        assertUnsupported("text/plain; version=0.0.4; version=1.0.0");
        assertUnsupported("text/plain; version=1.0.0; version=0.0.4");
        assertUnsupported("application/json; charset=utf-8; charset=latin1");
    }
}
