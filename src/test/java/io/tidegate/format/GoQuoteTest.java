package io.tidegate.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Go's %q, as the upstream Pushgateway 1.5.1 printed these bytes in its error texts. */
class GoQuoteTest {
    private static String quote(String oneCharPerByte) {
        byte[] bytes = oneCharPerByte.getBytes(StandardCharsets.ISO_8859_1);
        return GoQuote.string(bytes, 0, bytes.length);
    }

    @Test
    void printableTextIsQuotedAsItIsWithQuoteAndBackslashEscaped() {
        assertThat(quote("a 'b' \"c\" \\ \u00c3\u00a9")).isEqualTo("\"a 'b' \\\"c\\\" \\\\ \u00e9\"");
    }

    @Test
    void unprintableRunesUseShortEscapesHexOrUnicodeEscapes() {
        String bytes = "\u0007\b\f\n\r\t\u000b\u0000\u001b\u007f"
                + "\u00f3\u00a0\u0080\u0081" // U+E0001, a format character beyond the BMP
                + "\u00c2\u00a0\u00c2\u00ad\u00e2\u0080\u00a8\u00ef\u00bb\u00bf\u00ee\u0080\u0080\u00cd\u00b8\u00e3\u0080\u0080";

        assertThat(quote(bytes)).isEqualTo("\"\\a\\b\\f\\n\\r\\t\\v\\x00\\x1b\\x7f"
                + "\\U000e0001\\u00a0\\u00ad\\u2028\\ufeff\\ue000\\u0378\\u3000\"");
    }

    @Test
    void combiningMarksAndAstralSymbolsArePrintable() {
        assertThat(quote("\u00cc\u0081\u00f0\u009f\u0098\u0080\u00f0\u0090\u0080\u0080"))
                .isEqualTo("\"\u0301\ud83d\ude00\ud800\udc00\"");
    }

    @Test
    void bytesOutsideValidUtf8AreHexEscapedOneByOne() {
        // overlong forms, beyond U+10FFFF, a truncated sequence, a byte never used in UTF-8
        assertThat(quote("\u00e0\u0080\u0080\u00c0\u00af\u00f4\u0090\u0080\u0080\u00f0\u009f\u0098\u00ff"))
                .isEqualTo("\"\\xe0\\x80\\x80\\xc0\\xaf\\xf4\\x90\\x80\\x80\\xf0\\x9f\\x98\\xff\"");
        // a UTF-16 surrogate encoded in UTF-8
        assertThat(quote("\u00ed\u00a0\u0080")).isEqualTo("\"\\xed\\xa0\\x80\"");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {"49|'1'", "39|'\\''", "34|'\"'", "92|'\\\\'", "7|'\\a'",
            "0|'\\x00'", "195|'Ã'", "133|'\\u0085'", "160|'\\u00a0'", "255|'ÿ'"})
    void aByteIsQuotedAsTheRuneOfTheSameNumber(int b, String expected) {
        assertThat(GoQuote.byteLiteral(b)).isEqualTo(expected);
    }
}
