package io.tidegate.differential;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Renders request and response bodies for the report: escaped text, or a hex excerpt of binary data. */
final class Excerpts {

    private Excerpts() {
    }

    static String of(byte[] bytes, int maxChars) {
        if (bytes.length == 0) {
            return "\"\"";
        }
        String text = decodeStrictly(bytes);
        if (text == null || looksBinary(text)) {
            StringBuilder hex = new StringBuilder("<" + bytes.length + " bytes:");
            for (int i = 0; i < Math.min(bytes.length, 24); i++) {
                hex.append(String.format(" %02x", bytes[i] & 0xff));
            }
            return hex.append(bytes.length > 24 ? " ...>" : ">").toString();
        }
        return quoted(text, maxChars);
    }

    static String quoted(String text, int maxChars) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < text.length() && i < maxChars; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
        if (text.length() > maxChars) {
            out.append("... (").append(text.length()).append(" chars)");
        }
        return out.toString();
    }

    private static String decodeStrictly(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static boolean looksBinary(String text) {
        long controls = text.chars().filter(c -> c < 0x20 && c != '\n' && c != '\r' && c != '\t').count();
        return controls > 2;
    }
}
