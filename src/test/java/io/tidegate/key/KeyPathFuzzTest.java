package io.tidegate.key;

import io.tidegate.format.Label;
import io.tidegate.format.NameEscaping;
import io.tidegate.format.NameValidation;
import io.tidegate.format.Names;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.fuzz.FuzzBudget;
import io.tidegate.fuzz.KeyTexts;
import io.tidegate.fuzz.Refusals;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * Fuzzing of the HTTP push path (SPEC §7): percent-decoding, the grouping key read from the path, and
 * the base64url of {@code @base64} segments. Any path gives a key or a one-line reason; any key,
 * spelled in base64, reads back as itself; base64url decodes as the JDK's decoder does.
 */
@AddLifecycleHook(FuzzBudget.class)
class KeyPathFuzzTest {

    @Property(tries = 3000)
    void anyPathIsPercentDecodedOrRefused(@ForAll("rawPaths") String raw) {
        String decoded = KeyPath.percentDecode(raw);
        if (raw.indexOf('%') < 0) {
            assertThat(decoded).isEqualTo(raw);
        }
        if (decoded != null && raw.indexOf('%') >= 0) {
            assertThat(StandardCharsets.UTF_8.newEncoder().canEncode(decoded)).isTrue();
        }
    }

    @Property(tries = 2000)
    void percentEncodedTextDecodesToItself(@ForAll("texts") String text) {
        StringBuilder encoded = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            encoded.append(String.format(b % 2 == 0 ? "%%%02X" : "%%%02x", b & 0xff));
        }
        assertThat(KeyPath.percentDecode(encoded.toString())).isEqualTo(text);
    }

    @Property(tries = 3000)
    void anyDecodedPathGivesAKeyOrAReason(@ForAll("segments") String jobSegment, @ForAll boolean jobBase64,
            @ForAll("labelPaths") String labelPath) {
        KeyPath.Parsed parsed = KeyPath.parse(jobSegment, jobBase64, labelPath);
        if (parsed instanceof KeyPath.Refused) {
            Refusals.assertClean(KeyPathTest.refusalOf(parsed));
            return;
        }
        KeyTexts.assertWellFormed(KeyPathTest.keyOf(parsed));
    }

    /** With UTF-8 names, any path (U__ encodings among its names) gives a key of usable names or a reason. */
    @Property(tries = 2000)
    void anyDecodedPathGivesAKeyOrAReasonWithUtf8Names(@ForAll("segments") String jobSegment, @ForAll boolean jobBase64,
            @ForAll("utf8LabelPaths") String labelPath) {
        KeyPath.Parsed parsed = KeyPath.parse(jobSegment, jobBase64, labelPath, NameValidation.UTF8);
        if (parsed instanceof KeyPath.Refused) {
            Refusals.assertClean(KeyPathTest.refusalOf(parsed));
            return;
        }
        for (Label label : KeyPathTest.keyOf(parsed).labels()) {
            assertThat(NameValidation.UTF8.isUsableLabelName(label.name())).as(label.name()).isTrue();
        }
    }

    /** Any usable UTF-8 label name, written in the U__ value encoding where it is not legacy, names itself. */
    @Property(tries = 2000)
    void everyUtf8LabelNameEncodedReadsBackAsItself(@ForAll("utf8Names") String name) {
        String written = Names.isValidLabelName(name) ? name : NameEscaping.VALUES.escape(name);
        KeyPath.Parsed parsed = KeyPath.parse("j", false, List.of(written + KeyPath.BASE64_SUFFIX, "dg"),
                NameValidation.UTF8);
        if (name.startsWith("__") || name.equals("job") || written.equals(name) && name.startsWith("U__")) {
            return; // reserved, overridden by the job, or the ambiguity upstream documents (a legacy name that decodes)
        }
        assertThat(KeyPathTest.keyOf(parsed).get(name)).as(written).isEqualTo("v");
    }

    @Provide
    Arbitrary<String> utf8Names() {
        return Arbitraries.oneOf(Arbitraries.strings().ofMinLength(1).ofMaxLength(12),
                Arbitraries.strings().withChars("._-/ U:é😀0129aZ").ofMinLength(1).ofMaxLength(12))
                .filter(NameValidation.UTF8::isValidLabelName);
    }

    @Provide
    Arbitrary<String> utf8LabelPaths() {
        Arbitrary<String> name = Arbitraries.oneOf(KeyTexts.segment(), utf8Names().map(NameEscaping.VALUES::escape),
                Arbitraries.strings().withChars("U_0123456789abcdefxg.").ofMaxLength(14).map(s -> "U__" + s));
        return Combinators.combine(name.list().ofMaxSize(3), KeyTexts.segment().list().ofMinSize(3).ofMaxSize(3))
                .as((names, values) -> {
                    StringBuilder path = new StringBuilder();
                    for (int i = 0; i < names.size(); i++) {
                        path.append('/').append(names.get(i)).append('/').append(values.get(i));
                    }
                    return path.toString();
                });
    }

    @Property(tries = 2000)
    void everyKeySpelledInBase64ReadsBackAsItself(@ForAll("keys") Map<String, String> key) {
        String path = KeyTexts.encodedPath(key);
        String afterJob = path.substring(path.indexOf('/') + 1);
        int slash = afterJob.indexOf('/');
        String jobSegment = slash < 0 ? afterJob : afterJob.substring(0, slash);
        String labelPath = slash < 0 ? "" : afterJob.substring(slash);

        KeyPath.Parsed parsed = KeyPath.parse(jobSegment, true, labelPath);

        assertThat(KeyPathTest.keyOf(parsed)).isEqualTo(GroupingKey.of(key));
    }

    @Property(tries = 3000)
    void base64UrlDecodesAsTheJdkOrNamesTheBadByte(@ForAll("base64Texts") String encoded) {
        String trimmed = encoded.replaceAll("=+$", "");
        byte[] expected;
        try {
            expected = Base64.getUrlDecoder().decode(trimmed);
        } catch (IllegalArgumentException e) {
            expected = null;
        }
        try {
            String decoded = Base64Url.decode(encoded);
            assertThat(expected).as("the JDK refuses %s", encoded).isNotNull();
            assertThat(decoded).isEqualTo(new String(expected, StandardCharsets.UTF_8));
        } catch (Base64Url.InvalidBase64 e) {
            assertThat(expected).as("the JDK reads %s", encoded).isNull();
            assertThat(e.getMessage()).matches("illegal base64 data at input byte \\d+");
            int at = Integer.parseInt(e.getMessage().substring(e.getMessage().lastIndexOf(' ') + 1));
            assertThat(at).isBetween(0, Math.max(0, trimmed.length() - 1));
            assertThat(e.decodedPrefix).isNotNull();
        }
    }

    @Provide
    Arbitrary<String> rawPaths() {
        return KeyTexts.path(8);
    }

    @Provide
    Arbitrary<String> texts() {
        return KeyTexts.text();
    }

    @Provide
    Arbitrary<String> segments() {
        return KeyTexts.segment();
    }

    @Provide
    Arbitrary<String> labelPaths() {
        return KeyTexts.path(7).map(path -> path.isEmpty() ? path : "/" + path);
    }

    @Provide
    Arbitrary<Map<String, String>> keys() {
        return KeyTexts.keys();
    }

    @Provide
    Arbitrary<String> base64Texts() {
        Arbitrary<String> valid = KeyTexts.text().map(KeyTexts::base64);
        Arbitrary<String> alphabet = Arbitraries.strings().withCharRange('A', 'Z').withCharRange('a', 'z')
                .withCharRange('0', '9').withChars('-', '_', '=', '+', '/', ' ', '.').ofMaxLength(13);
        return Arbitraries.oneOf(valid, valid.map(s -> s + "=".repeat(s.length() % 4 == 0 ? 0 : 4 - s.length() % 4)),
                alphabet, KeyTexts.segment());
    }
}
