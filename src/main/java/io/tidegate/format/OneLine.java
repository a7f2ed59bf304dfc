package io.tidegate.format;

import java.util.Locale;

/**
 * Text made fit for one log line or one-line answer: line breaks, tabs and other control characters
 * written as Go escapes ({@code \n}, {@code \t}, {@code \x01}), everything else as it is.
 */
public final class OneLine {
    private OneLine() {}

    public static String of(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || c == 0x85;
            if (control && out == null) {
                out = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            if (out == null) {
                continue;
            }
            if (!control) {
                out.append(c);
                continue;
            }
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(String.format(Locale.ROOT, c > 0xff ? "\\u%04x" : "\\x%02x", (int) c));
            }
        }
        return out == null ? text : out.toString();
    }
}
