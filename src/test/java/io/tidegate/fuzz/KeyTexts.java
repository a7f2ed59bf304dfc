package io.tidegate.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.format.Label;
import io.tidegate.format.Names;
import io.tidegate.key.GroupingKey;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Grouping keys and the path segments and topic levels that spell them, valid and broken: label
 * names that are reserved or not names, base64 that is not, percent escapes that are malformed or
 * decode to invalid UTF-8. Shared by the HTTP path's, the topic scheme's and the MQTT ingest's fuzzing.
 */
public final class KeyTexts {
    private KeyTexts() {}

    /** Segments as they occur in a push path or a topic, including the ones that break it. */
    public static final List<String> SEGMENTS = List.of("job", "job@base64", "sensor", "a", "", "room", "kitchen",
            "le", "__name__", "__x", "1a", "a-b", "x@base64", "@base64", "room@base64", "a@base64@base64", "+", "#",
            "=", "==", "YQ", "YQ==", "YQ=", "Y", "Y===", "_-_-", "w6k", "7aCA", "/w", "%", "%2F", "%2f", "%zz", "%C3%A9",
            "%ff", "%ED%A0%80", "%00", "%0A", "%25", "é", "😀", "\u0000", "\n", "\ud800", " ", "job ", "JOB");

    public static Arbitrary<String> segment() {
        return Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.of(SEGMENTS)),
                Tuple.of(1, Arbitraries.strings().ofMaxLength(6)),
                Tuple.of(1, Arbitraries.strings().withCharRange('A', 'z').withChars('-', '_', '=').ofMaxLength(9)));
    }

    /** Segments joined with slashes. */
    public static Arbitrary<String> path(int maxSegments) {
        return segment().list().ofMaxSize(maxSegments).map(segments -> String.join("/", segments));
    }

    /** Label values of any text a Java string can encode as UTF-8 (no lone surrogates). */
    public static Arbitrary<String> text() {
        return Arbitraries.strings().ofMaxLength(12).filter(s -> StandardCharsets.UTF_8.newEncoder().canEncode(s));
    }

    /** Keys of a job and up to three labels with names Tidegate accepts; values are any text. */
    public static Arbitrary<Map<String, String>> keys() {
        Arbitrary<String> name = Arbitraries.of("room", "instance", "le", "a", "_x", "A9", "job_name", "quantile");
        Arbitrary<Map<String, String>> labels = Arbitraries.maps(name, text()).ofMaxSize(3);
        Arbitrary<String> job = text().filter(s -> !s.isEmpty());
        return Combinators.combine(job, labels).as((j, l) -> {
            Map<String, String> key = new LinkedHashMap<>(l);
            key.put("job", j);
            return key;
        });
    }

    /** What every key read from a path or topic holds: a job, and label names Tidegate accepts. */
    public static void assertWellFormed(GroupingKey key) {
        assertThat(key.job()).isNotEmpty();
        for (Label label : key.labels()) {
            assertThat(Names.isUsableLabelName(label.name())).as("label name %s", label.name()).isTrue();
        }
    }

    public static String base64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code job@base64/<job>{/<name>@base64/<value>}}: every key, whatever its text, spelled this way. */
    public static String encodedPath(Map<String, String> key) {
        StringBuilder path = new StringBuilder("job@base64/").append(base64(key.get("job")));
        key.forEach((name, value) -> {
            if (!name.equals("job")) {
                path.append('/').append(name).append("@base64/").append(base64(value));
            }
        });
        return path.toString();
    }
}
