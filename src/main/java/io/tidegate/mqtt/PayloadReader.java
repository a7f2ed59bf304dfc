package io.tidegate.mqtt;

import io.tidegate.format.BodyFormatException;
import io.tidegate.format.GoQuote;
import io.tidegate.format.BodyLimits;
import io.tidegate.format.NameValidation;
import io.tidegate.format.MediaType;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.MetricType;
import io.tidegate.format.Names;
import io.tidegate.format.ParsedBody;
import io.tidegate.format.TextFormatParser;
import io.tidegate.store.Verb;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a non-empty MQTT payload into families and the verb that writes them. Three kinds:
 * <ul>
 *   <li>Prometheus text format 0.0.4, the body an HTTP PUT takes ({@code #!set stale_timeout}
 *       included); a missing final newline is added, since {@code mosquitto_pub -m} sends none;
 *   <li>a JSON object ({@link JsonPayload});
 *   <li>a single number ({@code 21.5}, {@code -3}, {@code 1e3}, {@code NaN}, {@code +Inf}), a gauge
 *       named by the topic's metric level.
 * </ul>
 * An MQTT 5 content type, when present, decides: {@code text/plain} (version 0.0.4 if it says) is
 * text, {@code application/json} JSON, anything else is refused. Without one the payload is
 * sniffed: JSON if it starts with an opening brace, a number if it is one, text otherwise.
 * Text and JSON replace the whole group (PUT); a number replaces only its own family (POST), so
 * the per-metric topics of a device do not wipe each other.
 * JSON leaves and a number carry no type, nor does a text family without a {@code # TYPE} line: the
 * body says so ({@link ParsedBody#typeNotGiven}), and the store gives them the type it holds for
 * their names.
 */
final class PayloadReader {
    /** No number, however padded, is longer; a longer payload is not read as one. */
    private static final int LONGEST_NUMBER = 128;

    private final BodyLimits limits;
    private final TextFormatParser textParser;

    /** A reader that stops at the first series or label past {@code limits}, in text and JSON alike. */
    PayloadReader(BodyLimits limits) {
        this.limits = limits;
        this.textParser = new TextFormatParser(limits);
    }

    /** Which metric and label names payloads and mapping rules may make ({@code --push.enable-utf8-names}). */
    NameValidation names() {
        return limits.names();
    }

    /** The families of a payload and how to write them, or why it cannot be used. */
    record Read(ParsedBody body, Verb verb, Rejection rejection) {
        static Read rejected(RejectReason reason, String message) {
            return new Read(null, null, new Rejection(reason, message));
        }
    }

    private enum Kind {
        TEXT("Prometheus text"),
        JSON("JSON"),
        NUMBER("a number");

        final String description;

        Kind(String description) {
            this.description = description;
        }
    }

    /**
     * @param contentType the MQTT 5 content type, or null
     * @param metricLevel the topic level naming a single-number metric, or null when the topic has none
     */
    Read read(byte[] payload, String contentType, String metricLevel) {
        if (!isUtf8(payload)) {
            return Read.rejected(RejectReason.BAD_PAYLOAD, "payload is not valid UTF-8");
        }
        Kind kind;
        Double number = null;
        boolean sniffed = contentType == null || contentType.isBlank();
        if (!sniffed) {
            kind = kindOf(contentType);
            if (kind == null) {
                // quoted: the publisher's text, which may hold a newline or NUL, goes to logs and the API
                return Read.rejected(RejectReason.UNSUPPORTED_CONTENT_TYPE, "unsupported content type "
                        + GoQuote.string(contentType) + ": use text/plain (Prometheus text format 0.0.4) or application/json");
            }
        } else {
            // sniffed on the bytes: a text payload goes to the parser without being decoded first. Only with UTF-8
            // names is a payload starting with a quoted name in braces text: without them the text parser takes
            // quoted legacy names too (as upstream 1.11's does), but a legacy name needs no braces in front, and
            // the JSON payloads of flag-less gateways keep being told apart exactly as before
            boolean json = startsWithBrace(payload)
                    && !(limits.names() == NameValidation.UTF8 && startsWithQuotedName(payload));
            number = json || payload.length > LONGEST_NUMBER ? null
                    : TextFormatParser.parseGoFloat(new String(payload, StandardCharsets.UTF_8).strip());
            kind = json ? Kind.JSON : number != null ? Kind.NUMBER : Kind.TEXT;
        }
        if (sniffed && metricLevel != null && kind == Kind.TEXT && looksDecimal(payload)) {
            // a number written longer than any needs to be, or one a 64-bit float cannot hold: then the payload
            // is what is wrong, not the topic
            number = TextFormatParser.parseGoFloat(new String(payload, StandardCharsets.UTF_8).strip());
            kind = Kind.NUMBER;
        }
        if (kind == Kind.NUMBER && number == null) {
            return Read.rejected(RejectReason.BAD_PAYLOAD, "the payload " + GoQuote.string(excerpt(payload))
                    + " is a number out of the range of a 64-bit float (at most about 1.8e308)");
        }
        if (metricLevel != null && kind != Kind.NUMBER) {
            return Read.rejected(RejectReason.BAD_TOPIC, "the topic has a level after its last label pair, which names"
                    + " the metric of a single-number payload, but the payload is " + kind.description);
        }
        if (metricLevel == null && kind == Kind.NUMBER) {
            return Read.rejected(RejectReason.BAD_TOPIC, "a single-number payload needs a topic ending in its metric name,"
                    + " one level after the last label pair");
        }
        try {
            return switch (kind) {
                case TEXT -> new Read(text(payload), Verb.PUT, null);
                case JSON -> new Read(ParsedBody.typeNotGiven(json(payload)), Verb.PUT, null);
                case NUMBER -> gauge(metricLevel, number);
            };
        } catch (BodyFormatException e) {
            return Read.rejected(RejectReason.of(e.reason()), e.getMessage());
        }
    }

    /**
     * Whether the payload, spaces around it aside, is written as a decimal number: a sign, digits with
     * at most one point, an exponent. Read only for a payload that did not read as a number.
     */
    static boolean looksDecimal(byte[] payload) {
        int start = 0;
        int end = payload.length;
        while (start < end && isSpace(payload[start])) {
            start++;
        }
        while (end > start && isSpace(payload[end - 1])) {
            end--;
        }
        int i = start;
        if (i < end && (payload[i] == '+' || payload[i] == '-')) {
            i++;
        }
        int digits = 0;
        boolean point = false;
        for (; i < end && (isDigit(payload[i]) || (payload[i] == '.' && !point)); i++) {
            if (payload[i] == '.') {
                point = true;
            } else {
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < end && (payload[i] == 'e' || payload[i] == 'E')) {
            i++;
            if (i < end && (payload[i] == '+' || payload[i] == '-')) {
                i++;
            }
            int exponentDigits = 0;
            for (; i < end && isDigit(payload[i]); i++) {
                exponentDigits++;
            }
            if (exponentDigits == 0) {
                return false;
            }
        }
        return i == end;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }

    /** The payload's first 64 bytes as text, to quote in a refusal. */
    private static String excerpt(byte[] payload) {
        String text = new String(payload, 0, Math.min(payload.length, 64), StandardCharsets.UTF_8).strip();
        return payload.length > 64 ? text + "..." : text;
    }

    /** A Prometheus text payload's families; a missing final newline is added. */
    ParsedBody text(byte[] payload) throws BodyFormatException {
        byte[] body = terminated(payload);
        return textParser.parse(body, body.length);
    }

    /** A JSON object payload's families, one gauge per leaf ({@link JsonPayload}). */
    Map<String, MetricFamily> json(byte[] payload) throws BodyFormatException {
        return JsonPayload.families(payload, limits);
    }

    private static Read gauge(String metricLevel, double value) {
        String name = Names.sanitiseMetricName(metricLevel);
        if (name.isEmpty()) {
            return Read.rejected(RejectReason.BAD_TOPIC, "the topic's metric level is empty");
        }
        MetricFamily family = new MetricFamily(name, null, MetricType.GAUGE, List.of(Metric.simple(List.of(), value, null)));
        return new Read(ParsedBody.typeNotGiven(Map.of(name, family)), Verb.POST, null);
    }

    /**
     * The kind a content type names, or null when it is none Tidegate reads: every {@code version} it
     * has must be 0.0.4 (text only), every {@code charset} utf-8; values are read in any case and
     * overlooking stray quotes, a parameter without a value has an empty one.
     */
    private static Kind kindOf(String contentType) {
        MediaType type = MediaType.parse(contentType);
        Kind kind = type.is("text", "plain") ? Kind.TEXT : type.is("application", "json") ? Kind.JSON : null;
        if (kind == null) {
            return null;
        }
        for (MediaType.Parameter parameter : type.parameters()) {
            String value = parameter.written() == null ? "" : parameter.valueIgnoringQuotes().toLowerCase(Locale.ROOT);
            boolean acceptable = switch (parameter.name()) {
                case "version" -> kind == Kind.TEXT && value.equals("0.0.4");
                case "charset" -> value.equals("utf-8");
                default -> true;
            };
            if (!acceptable) {
                return null;
            }
        }
        return kind;
    }

    /** Whether the payload is UTF-8; ASCII, the usual case, is told by one pass without decoding. */
    static boolean isUtf8(byte[] payload) {
        for (byte b : payload) {
            if (b < 0) {
                try {
                    StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(payload));
                    return true;
                } catch (CharacterCodingException e) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether the first character other than white space is an opening brace. */
    private static boolean startsWithBrace(byte[] payload) {
        for (byte b : payload) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r' && b != '\f' && b != 0x0B) {
                return b == '{';
            }
        }
        return false;
    }

    /**
     * Whether a payload that starts with a brace starts as a text line whose metric name is inside the braces
     * ({@code {"my.metric"} 1}, {@code {"my.metric",a="b"} 1}), which UTF-8 names allow, rather than as a JSON
     * object: its first token is a quoted string followed by {@code ,}, {@code =} or {@code }}, where JSON
     * follows a key with {@code :}.
     */
    private static boolean startsWithQuotedName(byte[] payload) {
        int i = 0;
        while (i < payload.length && payload[i] != '{') {
            i++;
        }
        i++;
        while (i < payload.length && (payload[i] == ' ' || payload[i] == '\t')) {
            i++;
        }
        if (i >= payload.length || payload[i] != '"') {
            return false;
        }
        for (i++; i < payload.length && payload[i] != '"'; i++) {
            if (payload[i] == '\\') {
                i++;
            }
        }
        for (i++; i < payload.length && (payload[i] == ' ' || payload[i] == '\t'); i++) {
            // blanks between the name and what follows it
        }
        return i < payload.length && (payload[i] == ',' || payload[i] == '=' || payload[i] == '}');
    }

    /** The text format wants every line ended, the last one too. */
    private static byte[] terminated(byte[] payload) {
        if (payload[payload.length - 1] == '\n') {
            return payload;
        }
        byte[] ended = Arrays.copyOf(payload, payload.length + 1);
        ended[payload.length] = '\n';
        return ended;
    }
}
