package io.tidegate.format;

import java.nio.charset.StandardCharsets;

/**
 * Go's {@code %q} formatting ({@code strconv.Quote} and {@code strconv.QuoteRune}), so that error
 * texts quote user input exactly as the upstream Pushgateway does: printable runes as they are,
 * {@code \a \b \f \n \r \t \v}, other control characters as {@code \xNN}, other unprintable runes as
 * {@code &#92;uNNNN} or {@code &#92;UNNNNNNNN}, and every byte that is not part of valid UTF-8 as
 * {@code \xNN}.
 */
public final class GoQuote {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private GoQuote() {}

    /** {@code %q} of a Go string holding these bytes. */
    static String string(byte[] bytes, int offset, int length) {
        StringBuilder out = new StringBuilder(length + 2).append('"');
        int end = offset + length;
        int i = offset;
        while (i < end) {
            int b = bytes[i] & 0xff;
            if (b < 0x80) {
                appendEscapedRune(out, b, '"');
                i++;
                continue;
            }
            int width = Utf8.sequenceLength(bytes, i, end);
            if (width == 0) {
                out.append("\\x").append(HEX[b >> 4]).append(HEX[b & 0xf]);
                i++;
            } else {
                appendEscapedRune(out, Utf8.decode(bytes, i, width), '"');
                i += width;
            }
        }
        return out.append('"').toString();
    }

    /** {@code %q} of a Go string holding this (valid) text. */
    public static String string(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return string(bytes, 0, bytes.length);
    }

    /** {@code %q} of a Go {@code byte}: the character literal of the rune with that number. */
    static String byteLiteral(int b) {
        StringBuilder out = new StringBuilder(8).append('\'');
        appendEscapedRune(out, b & 0xff, '\'');
        return out.append('\'').toString();
    }

    private static void appendEscapedRune(StringBuilder out, int rune, char quote) {
        if (rune == quote || rune == '\\') {
            out.append('\\').append((char) rune);
            return;
        }
        if (isPrint(rune)) {
            out.appendCodePoint(rune);
            return;
        }
        switch (rune) {
            case 0x07 -> out.append("\\a");
            case '\b' -> out.append("\\b");
            case '\f' -> out.append("\\f");
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            case 0x0b -> out.append("\\v");
            default -> {
                if (rune < ' ' || rune == 0x7f) {
                    out.append("\\x").append(HEX[rune >> 4]).append(HEX[rune & 0xf]);
                } else if (rune < 0x10000) {
                    out.append("\\u");
                    appendHex(out, rune, 4);
                } else {
                    out.append("\\U");
                    appendHex(out, rune, 8);
                }
            }
        }
    }

    private static void appendHex(StringBuilder out, int value, int digits) {
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            out.append(HEX[(value >> shift) & 0xf]);
        }
    }

    /**
     * Go's {@code strconv.IsPrint}: letters, marks, numbers, punctuation, symbols and the ASCII space.
     * Go 1.19 and Java 17 both use Unicode 13.0, so the categories agree.
     */
    static boolean isPrint(int rune) {
        if (rune < 0x80) {
            return rune >= 0x20 && rune < 0x7f;
        }
        switch (Character.getType(rune)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                    Character.MODIFIER_LETTER, Character.OTHER_LETTER,
                    Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK,
                    Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER,
                    Character.DASH_PUNCTUATION, Character.START_PUNCTUATION, Character.END_PUNCTUATION,
                    Character.CONNECTOR_PUNCTUATION, Character.OTHER_PUNCTUATION,
                    Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                    Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL,
                    Character.OTHER_SYMBOL:
                return true;
            default:
                return false;
        }
    }

    /** UTF-8 as Go's {@code unicode/utf8} sees it (no overlong forms, no surrogates, at most U+10FFFF). */
    static final class Utf8 {
        private Utf8() {}

        /** The length of the valid UTF-8 sequence starting at {@code i}, or 0 if the byte there starts none. */
        static int sequenceLength(byte[] b, int i, int end) {
            int b0 = b[i] & 0xff;
            if (b0 < 0x80) {
                return 1;
            }
            int lo = 0x80;
            int hi = 0xbf;
            int length;
            if (b0 >= 0xc2 && b0 <= 0xdf) {
                length = 2;
            } else if (b0 >= 0xe0 && b0 <= 0xef) {
                length = 3;
                if (b0 == 0xe0) {
                    lo = 0xa0;
                } else if (b0 == 0xed) {
                    hi = 0x9f;
                }
            } else if (b0 >= 0xf0 && b0 <= 0xf4) {
                length = 4;
                if (b0 == 0xf0) {
                    lo = 0x90;
                } else if (b0 == 0xf4) {
                    hi = 0x8f;
                }
            } else {
                return 0;
            }
            if (i + length > end) {
                return 0;
            }
            int b1 = b[i + 1] & 0xff;
            if (b1 < lo || b1 > hi) {
                return 0;
            }
            for (int k = 2; k < length; k++) {
                int bk = b[i + k] & 0xff;
                if (bk < 0x80 || bk > 0xbf) {
                    return 0;
                }
            }
            return length;
        }

        /** The rune of the valid sequence of {@code length} bytes at {@code i}. */
        static int decode(byte[] b, int i, int length) {
            return switch (length) {
                case 1 -> b[i];
                case 2 -> (b[i] & 0x1f) << 6 | (b[i + 1] & 0x3f);
                case 3 -> (b[i] & 0x0f) << 12 | (b[i + 1] & 0x3f) << 6 | (b[i + 2] & 0x3f);
                default -> (b[i] & 0x07) << 18 | (b[i + 1] & 0x3f) << 12 | (b[i + 2] & 0x3f) << 6 | (b[i + 3] & 0x3f);
            };
        }

        /** Go's {@code utf8.Valid}. */
        static boolean isValid(byte[] b, int offset, int length) {
            int end = offset + length;
            int i = offset;
            while (i < end) {
                if (b[i] >= 0) {
                    i++;
                    continue;
                }
                int width = sequenceLength(b, i, end);
                if (width == 0) {
                    return false;
                }
                i += width;
            }
            return true;
        }
    }
}
