package io.tidegate.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidegate.format.MediaType.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Media types as Content-Type, Accept and MQTT 5 content types write them, junk included. */
class MediaTypeTest {
    @Test
    void aTypeItsSubtypeAndItsParametersAreRead() {
        MediaType type = MediaType.parse("text/plain; version=0.0.4; charset=utf-8");

        assertThat(type.type()).isEqualTo("text");
        assertThat(type.subtype()).isEqualTo("plain");
        assertThat(type.essence()).isEqualTo("text/plain");
        assertThat(type.parameters()).containsExactly(new Parameter("version", "0.0.4"), new Parameter("charset", "utf-8"));
    }

    @Test
    void typeSubtypeAndParameterNamesAreCaseInsensitiveButValuesAreNot() {
        MediaType type = MediaType.parse("Application/VND.Google.Protobuf; PROTO=io.prometheus.client.MetricFamily");

        assertThat(type.is("application", "vnd.google.protobuf")).isTrue();
        assertThat(type.is("APPLICATION", "Vnd.Google.Protobuf")).isTrue();
        assertThat(type.parameter("Proto").value()).isEqualTo("io.prometheus.client.MetricFamily");
        assertThat(type).isEqualTo(MediaType.parse("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily"));
    }

    @Test
    void whitespaceAroundTypeNamesAndValuesIsDropped() {
        MediaType type = MediaType.parse(" \ttext/plain ;  version = 0.0.4\t;charset=utf-8 ");

        assertThat(type.essence()).isEqualTo("text/plain");
        assertThat(type.parameters()).containsExactly(new Parameter("version", "0.0.4"), new Parameter("charset", "utf-8"));
        assertThat(MediaType.parse("\u2003text/plain\n").is("text", "plain")).isTrue();
    }

    @Test
    void theTypeIsTakenAsWrittenUpToTheFirstSemicolon() {
        assertThat(MediaType.parse("text / plain").type()).isEqualTo("text ");
        assertThat(MediaType.parse("text/plain x").subtype()).isEqualTo("plain x");
        assertThat(MediaType.parse("text/plain/x").subtype()).isEqualTo("plain/x");
        assertThat(MediaType.parse("text").essence()).isEqualTo("text/");
        assertThat(MediaType.parse("").essence()).isEqualTo("/");
        assertThat(MediaType.parse("text/plain\u0000").is("text", "plain")).isFalse();
    }

    @Test
    void aQuotedValueMayHoldSemicolonsCommasAndEscapedQuotes() {
        MediaType type = MediaType.parse("a/b; x=\"1; 2, 3\"; y=\"say \\\"hi\\\" \\\\ ok\"; z=\"\"");

        assertThat(type.parameter("x").value()).isEqualTo("1; 2, 3");
        assertThat(type.parameter("x").written()).isEqualTo("\"1; 2, 3\"");
        assertThat(type.parameter("y").value()).isEqualTo("say \"hi\" \\ ok");
        assertThat(type.parameter("z").value()).isEmpty();
    }

    @Test
    void aBackslashBeforeAnythingButADelimiterIsItselfAsGoReadsIt() {
        assertThat(MediaType.parse("a/b; path=\"C:\\dev\\go\"").parameter("path").value()).isEqualTo("C:\\dev\\go");
        assertThat(MediaType.parse("a/b; x=\"a\\;b\"").parameter("x").value()).isEqualTo("a;b");
    }

    @Test
    void aValueWithStrayQuotesIsNotAQuotedStringButIsKeptAsWritten() {
        Parameter unclosed = MediaType.parse("a/b; version=\"1.0.0; q=1").parameter("version");
        assertThat(unclosed.value()).isEqualTo("\"1.0.0");
        assertThat(unclosed.valueIgnoringQuotes()).isEqualTo("1.0.0");
        assertThat(MediaType.parse("a/b; version=\"1.0.0; q=1").parameter("q").value()).isEqualTo("1");

        assertThat(MediaType.parse("a/b; version=1.0.0\"").parameter("version").value()).isEqualTo("1.0.0\"");
        assertThat(MediaType.parse("a/b; x=\"a\"b").parameter("x").value()).isEqualTo("\"a\"b");
        assertThat(MediaType.parse("a/b; x=\"a\\\"").parameter("x").value()).isEqualTo("\"a\\\"");
        assertThat(MediaType.parse("a/b; x=\"a\\\"b\"").parameter("x").valueIgnoringQuotes()).isEqualTo("a\\b");
    }

    @Test
    void aParameterWithoutValueOrNameIsKept() {
        MediaType type = MediaType.parse("a/b; junk; ; =x;;y=");

        assertThat(type.parameters()).containsExactly(new Parameter("junk", null), new Parameter("", null),
                new Parameter("", "x"), new Parameter("", null), new Parameter("y", ""));
        assertThat(type.parameters().get(0).isEmpty()).isFalse();
        assertThat(type.parameters().get(1).isEmpty()).isTrue();
        assertThat(type.parameter("junk")).isNull();
    }

    @Test
    void semicolonsEndingTheTextAreIgnored() {
        assertThat(MediaType.parse("a/b;").parameters()).isEmpty();
        assertThat(MediaType.parse("a/b; x=1;;;").parameters()).containsExactly(new Parameter("x", "1"));
        assertThat(MediaType.parse(";").parameters()).isEmpty();
        // spaces after the last make one more, empty, parameter
        assertThat(MediaType.parse("a/b; x=1; ").parameters()).containsExactly(new Parameter("x", "1"), new Parameter("", null));
        assertThat(MediaType.parse("a/b; ;;").parameters()).containsExactly(new Parameter("", null));
    }

    @Test
    void theLastParameterOfANameWithAValueCounts() {
        MediaType type = MediaType.parse("a/b; q=1; Q=0.5; q");

        assertThat(type.parameter("q").value()).isEqualTo("0.5");
        assertThat(type.parameter("other")).isNull();
    }

    @Test
    void theWeightOfARangeIsItsQAsJavaReadsNumbers() {
        assertThat(MediaType.parse("a/b").quality()).isEqualTo(1);
        assertThat(MediaType.parse("a/b; q=0.3").quality()).isEqualTo(0.3);
        assertThat(MediaType.parse("a/b; q=\"0.5\"").quality()).isEqualTo(0.5);
        assertThat(MediaType.parse("a/b; q=\"0.5").quality()).isEqualTo(0.5);
        assertThat(MediaType.parse("a/b; q=1e-1").quality()).isEqualTo(0.1);
        assertThat(MediaType.parse("a/b; q=2").quality()).isEqualTo(2);
        assertThat(MediaType.parse("a/b; q=high").quality()).isZero();
        assertThat(MediaType.parse("a/b; q=").quality()).isZero();
        assertThat(MediaType.parse("a/b; q=NaN").quality()).isNaN();
    }

    @Test
    void aListIsSplitAtCommasOutsideQuotedValuesAndEmptyElementsAreSkipped() {
        List<MediaType> types = MediaType.parseList(
                "application/openmetrics-text; version=\"1,0\";q=0.5 , ,text/plain;q=0.3,*/*;q=0.1,");

        assertThat(types).extracting(MediaType::essence).containsExactly("application/openmetrics-text", "text/plain", "*/*");
        assertThat(types.get(0).parameter("version").value()).isEqualTo("1,0");
        assertThat(types).extracting(MediaType::quality).containsExactly(0.5, 0.3, 0.1);
        assertThat(MediaType.parseList("")).isEmpty();
        assertThat(MediaType.parseList(" , ")).isEmpty();
        assertThat(MediaType.parseList("a/b; x=\"1, c/d")).extracting(MediaType::essence).containsExactly("a/b", "c/d");
    }

    @Test
    void itIsWrittenBackInLowerCaseWithItsValuesAsWritten() {
        assertThat(MediaType.parse("Text/Plain ;Version = 0.0.4;charset=\"UTF-8\"").toString())
                .isEqualTo("text/plain; version=0.0.4; charset=\"UTF-8\"");
        assertThat(MediaType.parse("a/b;;junk;x=\"1").toString()).isEqualTo("a/b; ; junk; x=\"1");
    }

    @Test
    void onlyWhatReadsBackIsAMediaType() {
        assertThatThrownBy(() -> new MediaType("text/x", "plain", List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MediaType("text", "plain;", List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MediaType(" text", "plain", List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Parameter("a=b", "c")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Parameter("a", " c")).isInstanceOf(IllegalArgumentException.class);
        assertThat(new MediaType("Text", "Plain", List.of(new Parameter("Charset", "utf-8"))))
                .isEqualTo(MediaType.parse("text/plain; charset=utf-8"));
    }
}
