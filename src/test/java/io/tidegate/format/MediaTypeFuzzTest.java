package io.tidegate.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.format.MediaType.Parameter;
import io.tidegate.fuzz.FuzzBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * Any text is a media type or a list of them, and what was read writes back as text that reads
 * back the same; a media type written by RFC 9110's grammar reads as what was meant, in any case.
 */
@AddLifecycleHook(FuzzBudget.class)
class MediaTypeFuzzTest {
    /** Pieces that make media types and their junk: delimiters, quotes, escapes, whitespace of both kinds. */
    private static final String[] PIECES = {"text", "plain", "application", "vnd.google.protobuf", "*", "/", "/", ";", ";",
            ";", "=", "=", ",", ",", "\"", "\"", "\\", " ", " ", "\t", "\n", "\u2003", "\u0000", "\u00a0", "q", "0.5",
            "version", "0.0.4", "charset", "UTF-8", "Proto", "x", "İ", "\u212a", "\ud83d\ude00", "\ud800"};

    /** A token, as RFC 9110 §5.6.2 spells it. */
    private static final String TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    /** What a well-formed media type says ({@code {name, value}} pairs), and how it was written. */
    private record Meant(String type, String subtype, List<String[]> parameters, String written) {}

    @Property(tries = 3000)
    void whateverIsReadWritesBackAsTextThatReadsTheSame(@ForAll("texts") String text) {
        MediaType type = MediaType.parse(text);

        assertThat(MediaType.parse(type.toString())).as(type.toString()).isEqualTo(type);
    }

    @Property(tries = 3000)
    void whateverListIsReadWritesBackAsAListThatReadsTheSame(@ForAll("texts") String text) {
        List<MediaType> types = MediaType.parseList(text);
        List<String> written = types.stream().map(MediaType::toString).toList();

        assertThat(MediaType.parseList(String.join(", ", written))).as(written.toString()).isEqualTo(types);
    }

    @Property(tries = 2000)
    void aTextWithoutCommasIsAListOfItsOneType(@ForAll("texts") String text) {
        String withoutCommas = text.replace(",", "");
        List<MediaType> types = MediaType.parseList(withoutCommas);

        if (!withoutCommas.isBlank()) {
            assertThat(types).containsExactly(MediaType.parse(withoutCommas));
        }
    }

    @Property(tries = 2000)
    void aWellFormedMediaTypeReadsAsMeantInAnyCase(@ForAll("wellFormed") Meant meant) {
        MediaType type = MediaType.parse(meant.written());

        assertThat(type.type()).isEqualTo(meant.type().toLowerCase(Locale.ROOT));
        assertThat(type.subtype()).isEqualTo(meant.subtype().toLowerCase(Locale.ROOT));
        assertThat(type.parameters()).hasSameSizeAs(meant.parameters());
        for (int i = 0; i < meant.parameters().size(); i++) {
            Parameter parameter = type.parameters().get(i);
            assertThat(parameter.name()).isEqualTo(meant.parameters().get(i)[0].toLowerCase(Locale.ROOT));
            assertThat(parameter.value()).isEqualTo(meant.parameters().get(i)[1]);
        }
        assertThat(MediaType.parseList(meant.written() + ", " + meant.written())).containsExactly(type, type);
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.oneOf(
                Arbitraries.of(PIECES).list().ofMaxSize(16).map(pieces -> String.join("", pieces)),
                Arbitraries.strings().withChars("ab/;=,\"\\ \t").ofMaxLength(24),
                Arbitraries.strings().ofMaxLength(24));
    }

    @Provide
    Arbitrary<Meant> wellFormed() {
        Arbitrary<String> token = Arbitraries.strings().withChars(TCHARS).ofMinLength(1).ofMaxLength(8);
        Arbitrary<String> ows = Arbitraries.of("", "", " ", "\t", " \t ");
        // qdtext and quoted-pair as RFC 9110 §5.6.4 has them: any visible character, space, tab or obs-text
        Arbitrary<String> quotable = Arbitraries.strings().withCharRange(' ', '~').withChars('\t', '\u00e9', '\u00ff')
                .ofMaxLength(10);
        Arbitrary<String[]> tokenParameter = Combinators.combine(token, token, ows, ows)
                .as((name, value, before, after) -> new String[] {name, value, before + name + "=" + value + after});
        Arbitrary<String[]> quotedParameter = Combinators.combine(token, quotable, ows, ows)
                .as((name, value, before, after) -> new String[] {name, value,
                        before + name + "=\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"" + after});
        Arbitrary<List<String[]>> parameters = Arbitraries.oneOf(tokenParameter, quotedParameter).list().ofMaxSize(4);
        Arbitrary<String> end = Arbitraries.of("", ";", "; ");
        return Combinators.combine(ows, token, token, parameters, end).as((before, type, subtype, list, ending) -> {
            StringBuilder written = new StringBuilder(before).append(type).append('/').append(subtype);
            List<String[]> meant = new ArrayList<>();
            for (String[] parameter : list) {
                written.append(';').append(parameter[2]);
                meant.add(new String[] {parameter[0], parameter[1]});
            }
            if (ending.equals("; ")) {
                meant.add(new String[] {"", null}); // spaces after a last semicolon make an empty parameter
            }
            return new Meant(type, subtype, meant, written.append(ending).toString());
        });
    }
}
