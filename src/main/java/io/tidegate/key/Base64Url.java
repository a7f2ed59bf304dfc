package io.tidegate.key;

import java.nio.charset.StandardCharsets;

/**
 * Base64 with the URL and filename safe alphabet (RFC 4648), padding optional, as upstream reads
 * {@code @base64} path segments; errors name the offending input byte as Go's decoder does.
 */
final class Base64Url {
    private Base64Url() {}

    /** Bad input; {@code decodedPrefix} is what decoded before the bad byte, which upstream's messages show. */
    static final class InvalidBase64 extends IllegalArgumentException {
        final String decodedPrefix;

        InvalidBase64(String message, String decodedPrefix) {
            super(message);
            this.decodedPrefix = decodedPrefix;
        }
    }

    static String decode(String encoded) {
        int end = encoded.length();
        while (end > 0 && encoded.charAt(end - 1) == '=') {
            end--;
        }
        byte[] out = new byte[end * 3 / 4];
        int length = 0;
        int buffer = 0;
        int bits = 0;
        for (int i = 0; i < end; i++) {
            int sextet = sextet(encoded.charAt(i));
            if (sextet < 0) {
                throw new InvalidBase64("illegal base64 data at input byte " + i, decodedPrefix(out, length, i));
            }
            buffer = (buffer << 6) | sextet;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out[length++] = (byte) (buffer >> bits);
                buffer &= (1 << bits) - 1;
            }
        }
        if (end % 4 == 1) {
            throw new InvalidBase64("illegal base64 data at input byte " + (end - 1), decodedPrefix(out, length, end - 1));
        }
        return new String(out, 0, length, StandardCharsets.UTF_8);
    }

    /** Go decodes whole quanta of four characters only, so the prefix ends at the last complete one. */
    private static String decodedPrefix(byte[] out, int length, int badIndex) {
        int complete = Math.min(length, badIndex / 4 * 3);
        return new String(out, 0, complete, StandardCharsets.UTF_8);
    }

    private static int sextet(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        }
        if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        }
        if (c == '-') {
            return 62;
        }
        if (c == '_') {
            return 63;
        }
        return -1;
    }
}
