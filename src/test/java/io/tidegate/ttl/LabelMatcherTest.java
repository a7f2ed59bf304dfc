package io.tidegate.ttl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class LabelMatcherTest {
    @Test
    void equalMatchesTheWholeValueOnly() {
        LabelMatcher matcher = LabelMatcher.parse("job=\"sensor\"");

        assertThat(matcher.matches("sensor")).isTrue();
        assertThat(matcher.matches("sensor1")).isFalse();
        assertThat(matcher.matches("Sensor")).isFalse();
    }

    @Test
    void notEqualMatchesEveryOtherValue() {
        LabelMatcher matcher = LabelMatcher.parse("room!=\"lab\"");

        assertThat(matcher.matches("lab")).isFalse();
        assertThat(matcher.matches("lab2")).isTrue();
        assertThat(matcher.matches("kitchen")).isTrue();
    }

    @Test
    void regexMustMatchTheWholeValue() {
        LabelMatcher matcher = LabelMatcher.parse("job=~\"sensor\"");

        assertThat(matcher.matches("sensor")).isTrue();
        assertThat(matcher.matches("sensor1")).isFalse();
        assertThat(matcher.matches("my-sensor")).isFalse();
        assertThat(LabelMatcher.parse("job=~\"sensor.*\"").matches("sensor-kitchen")).isTrue();
    }

    @Test
    void regexAlternativesAreAnchoredTogether() {
        LabelMatcher matcher = LabelMatcher.parse("job=~\"a|b\"");

        assertThat(matcher.matches("a")).isTrue();
        assertThat(matcher.matches("b")).isTrue();
        assertThat(matcher.matches("ab")).isFalse();
        assertThat(matcher.matches("xb")).isFalse();
    }

    @Test
    void regexDotMatchesNewlinesAsInPrometheus() {
        assertThat(LabelMatcher.parse("note=~\"a.b\"").matches("a\nb")).isTrue();
        assertThat(LabelMatcher.parse("note=~\"a\"").matches("a\n")).isFalse();
    }

    @Test
    void negativeRegexMatchesWhatTheRegexDoesNot() {
        LabelMatcher matcher = LabelMatcher.parse("room!~\"lab|attic\"");

        assertThat(matcher.matches("lab")).isFalse();
        assertThat(matcher.matches("attic")).isFalse();
        assertThat(matcher.matches("laboratory")).isTrue();
    }

    @Test
    void absentLabelMatchesAsTheEmptyString() {
        assertThat(LabelMatcher.parse("room!=\"lab\"").matches(null)).isTrue();
        assertThat(LabelMatcher.parse("room=\"\"").matches(null)).isTrue();
        assertThat(LabelMatcher.parse("room=\"\"").matches("lab")).isFalse();
        assertThat(LabelMatcher.parse("room=\"lab\"").matches(null)).isFalse();
        assertThat(LabelMatcher.parse("room=~\".*\"").matches(null)).isTrue();
        assertThat(LabelMatcher.parse("room=~\".+\"").matches(null)).isFalse();
        assertThat(LabelMatcher.parse("room!~\".+\"").matches(null)).isTrue();
    }

    @Test
    void escapedRegexCharactersAreLiteral() {
        LabelMatcher matcher = LabelMatcher.parse("job=~\"sensor\\\\.[0-9]+\"");

        assertThat(matcher.value()).isEqualTo("sensor\\.[0-9]+");
        assertThat(matcher.matches("sensor.12")).isTrue();
        assertThat(matcher.matches("sensorx12")).isFalse();
    }

    @Test
    void quotedValuesTakeGoEscapes() {
        assertThat(LabelMatcher.parse("a=\"say \\\"hi\\\"\"").value()).isEqualTo("say \"hi\"");
        assertThat(LabelMatcher.parse("a='it\\'s'").value()).isEqualTo("it's");
        assertThat(LabelMatcher.parse("a='say \"hi\"'").value()).isEqualTo("say \"hi\"");
        assertThat(LabelMatcher.parse("a=\"back\\\\slash\"").value()).isEqualTo("back\\slash");
        assertThat(LabelMatcher.parse("a=\"tab\\there\\nnext\"").value()).isEqualTo("tab\there\nnext");
        assertThat(LabelMatcher.parse("a=\"caf\\u00e9\"").value()).isEqualTo("café");
        assertThat(LabelMatcher.parse("a=\"\\U0001F600\"").value()).isEqualTo("😀");
        assertThat(LabelMatcher.parse("a=\"\\x41\\101\"").value()).isEqualTo("AA");
        assertThat(LabelMatcher.parse("a=`raw\\d+`").value()).isEqualTo("raw\\d+");
    }

    @Test
    void whitespaceAroundTheOperatorIsAllowed() {
        assertThat(LabelMatcher.parse("  job =~ \"a.*\" ")).isEqualTo(LabelMatcher.parse("job=~\"a.*\""));
    }

    @Test
    void printsBackAsPromql() {
        assertThat(LabelMatcher.parse("job=~'sensor.*'")).hasToString("job=~\"sensor.*\"");
        assertThat(LabelMatcher.parse("a!=\"x\\\"y\\n\"")).hasToString("a!=\"x\\\"y\\n\"");
        assertThat(LabelMatcher.parse("a!~`\\d`")).hasToString("a!~\"\\\\d\"");
        LabelMatcher matcher = LabelMatcher.parse("a=\"\\u0007\\u00ad\"");
        assertThat(LabelMatcher.parse(matcher.toString())).isEqualTo(matcher);
    }

    @Test
    void selectorGivesItsMatchersInOrder() {
        List<LabelMatcher> matchers = LabelMatcher.parseSelector("{job=~\"sensor.*\", room!=\"lab\"}");

        assertThat(matchers).extracting(LabelMatcher::toString).containsExactly("job=~\"sensor.*\"", "room!=\"lab\"");
        assertThat(matchers).extracting(LabelMatcher::name).containsExactly("job", "room");
        assertThat(matchers).extracting(LabelMatcher::type)
                .containsExactly(LabelMatcher.Type.REGEX, LabelMatcher.Type.NOT_EQUAL);
    }

    @Test
    void selectorAllowsWhitespaceNewlinesAndATrailingComma() {
        assertThat(LabelMatcher.parseSelector(" {\n  job = \"a\" ,\n  room!~'b',\n} "))
                .extracting(LabelMatcher::toString).containsExactly("job=\"a\"", "room!~\"b\"");
    }

    @Test
    void emptySelectorHasNoMatchers() {
        assertThat(LabelMatcher.parseSelector("{}")).isEmpty();
        assertThat(LabelMatcher.parseSelector(" { } ")).isEmpty();
    }

    @Test
    void valueWithoutQuotesIsRefused() {
        assertThatThrownBy(() -> LabelMatcher.parse("job=sensor")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid matcher job=sensor: expected a quoted value (\"...\", '...' or `...`), found \"s\""
                        + " at position 5");
    }

    @Test
    void unknownOperatorIsRefused() {
        assertThatThrownBy(() -> LabelMatcher.parse("job~\"x\"")).hasMessage(
                "invalid matcher job~\"x\": expected =, !=, =~ or !~ after label name job, found \"~\" at position 4");
        assertThatThrownBy(() -> LabelMatcher.parse("job")).hasMessage(
                "invalid matcher job: expected =, !=, =~ or !~ after label name job, found the end at position 4");
    }

    @Test
    void invalidRegexNamesTheRegexAndTheMatcher() {
        assertThatThrownBy(() -> LabelMatcher.parse("job=~\"sensor(\"")).hasMessage(
                "invalid regex \"sensor(\" in matcher job=~\"sensor(\": unclosed group at the end");
        assertThatThrownBy(() -> LabelMatcher.parseSelector("{room!~\"*lab\"}")).hasMessage(
                "invalid regex \"*lab\" in matcher room!~\"*lab\": dangling meta character '*' at position 1");
    }

    @Test
    void regexThatOnlyCompilesInsideTheAnchoringGroupIsRefused() {
        assertThatThrownBy(() -> LabelMatcher.parse("job=~\"a)|(b\"")).hasMessageStartingWith(
                "invalid regex \"a)|(b\" in matcher job=~\"a)|(b\": unmatched closing ')'");
    }

    @Test
    void labelNamesAreCheckedAsPrometheusLabelNames() {
        assertThatThrownBy(() -> LabelMatcher.parse("1job=\"a\"")).hasMessage("invalid matcher 1job=\"a\": invalid label"
                + " name \"1job\" (letters, digits and _, not starting with a digit) at position 1");
        assertThatThrownBy(() -> LabelMatcher.parse("jöb=\"a\"")).hasMessageContaining("invalid label name \"jöb\"");
        assertThatThrownBy(() -> LabelMatcher.parse("__name__=\"up\"")).hasMessage("invalid matcher __name__=\"up\": label"
                + " name \"__name__\" is reserved (starts with __); no grouping key has it at position 1");
        assertThatThrownBy(() -> LabelMatcher.parse("=\"a\"")).hasMessage(
                "invalid matcher =\"a\": expected a label name, found \"=\" at position 1");
    }

    @Test
    void badStringsAreRefusedWithTheirPosition() {
        assertThatThrownBy(() -> LabelMatcher.parse("job=\"abc")).hasMessage(
                "invalid matcher job=\"abc: unterminated quoted string at position 5");
        assertThatThrownBy(() -> LabelMatcher.parse("job=\"a\nb\"")).hasMessage(
                "invalid matcher job=\"a\\nb\": unterminated quoted string at position 5");
        assertThatThrownBy(() -> LabelMatcher.parse("job=\"a\\qb\"")).hasMessage(
                "invalid matcher job=\"a\\qb\": unknown escape sequence \\q at position 7");
        assertThatThrownBy(() -> LabelMatcher.parse("job=\"a\\'\"")).hasMessage(
                "invalid matcher job=\"a\\'\": unknown escape sequence \\' at position 7");
        assertThatThrownBy(() -> LabelMatcher.parse("job=\"a\\\nb\"")).hasMessage(
                "invalid matcher job=\"a\\\\nb\": unknown escape sequence \\ followed by \"\\n\" at position 7");
        assertThatThrownBy(() -> LabelMatcher.parse("job=\"\\xff\"")).hasMessage("invalid matcher job=\"\\xff\": escape"
                + " sequence \\xff is a byte, not a UTF-8 character; write \\u00ff at position 6");
        assertThatThrownBy(() -> LabelMatcher.parse("job=\"\\u12\"")).hasMessage(
                "invalid matcher job=\"\\u12\": escape sequence \\u12 needs 4 hex digits at position 6");
        assertThatThrownBy(() -> LabelMatcher.parse("job=\"\\ud800\"")).hasMessage("invalid matcher job=\"\\ud800\":"
                + " escape sequence \\ud800 is an invalid Unicode code point at position 6");
    }

    @Test
    void oneMatcherIsNotASelector() {
        assertThatThrownBy(() -> LabelMatcher.parse("a=\"b\", c=\"d\"")).hasMessage("invalid matcher a=\"b\", c=\"d\":"
                + " expected the end of the matcher (write several as a selector {a=\"b\", c=\"d\"}), found \",\" at position 6");
        assertThatThrownBy(() -> LabelMatcher.parse("{a=\"b\"}")).hasMessage(
                "invalid matcher {a=\"b\"}: expected a label name, found \"{\" at position 1");
    }

    @Test
    void selectorSyntaxErrorsSayWhatWasExpectedWhere() {
        assertThatThrownBy(() -> LabelMatcher.parseSelector("job=\"a\"")).hasMessage("invalid selector job=\"a\":"
                + " expected \"{\" (a selector is written {name=\"value\", ...}), found \"j\" at position 1");
        assertThatThrownBy(() -> LabelMatcher.parseSelector("{job=\"a\" room=\"b\"}")).hasMessage(
                "invalid selector {job=\"a\" room=\"b\"}: expected \",\" or \"}\", found \"r\" at position 10");
        assertThatThrownBy(() -> LabelMatcher.parseSelector("{job=\"a\"")).hasMessage(
                "invalid selector {job=\"a\": expected \",\" or \"}\", found the end at position 9");
        assertThatThrownBy(() -> LabelMatcher.parseSelector("{job=\"a\",")).hasMessage(
                "invalid selector {job=\"a\",: expected a label name, found the end at position 10");
        assertThatThrownBy(() -> LabelMatcher.parseSelector("{job=\"a\"} or up")).hasMessage(
                "invalid selector {job=\"a\"} or up: expected the end of the selector after \"}\", found \"o\" at position 11");
        assertThatThrownBy(() -> LabelMatcher.parseSelector("")).hasMessage(
                "invalid selector \"\": expected \"{\" (a selector is written {name=\"value\", ...}), found the end at position 1");
    }

    @Test
    void veryLongValueAgainstADeeplyRecursiveRegexDoesNotFailTheCaller() {
        LabelMatcher matcher = LabelMatcher.parse("job=~\"(a|b)*\"");

        assertThat(matcher.matches("ab".repeat(10))).isTrue();
        assertThat(matcher.matches("a".repeat(200_000))).isFalse();
    }
}
