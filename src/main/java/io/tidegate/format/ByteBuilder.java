package io.tidegate.format;

import java.util.Arrays;

/**
 * A growable byte array for rendering series: ASCII and UTF-8 text, protobuf varints and fixed64
 * doubles. Not thread-safe; one builder per rendering.
 */
final class ByteBuilder {
    /** A scratch builder larger than this is not kept for the thread's next rendering. */
    private static final int MAX_KEPT_SCRATCH_BYTES = 1 << 20;
    private static final ThreadLocal<ByteBuilder> SCRATCH = ThreadLocal.withInitial(() -> new ByteBuilder(4096));

    private byte[] bytes;
    private int size;

    /**
     * This thread's empty builder, for a rendering that ends in {@link #toByteArray}: every push
     * renders its series, and a fresh growing buffer per push was a tenth of what a push allocates.
     * Not for a rendering that calls another that uses the scratch builder.
     */
    static ByteBuilder scratch() {
        ByteBuilder scratch = SCRATCH.get();
        if (scratch.bytes.length > MAX_KEPT_SCRATCH_BYTES) {
            scratch = new ByteBuilder(4096);
            SCRATCH.set(scratch);
        }
        scratch.clear();
        return scratch;
    }

    ByteBuilder(int initialCapacity) {
        bytes = new byte[Math.max(16, initialCapacity)];
    }

    int size() {
        return size;
    }

    void clear() {
        size = 0;
    }

    /** Whether a byte written at or after {@code from} is {@code a} or {@code b}. */
    boolean containsSince(int from, char a, char b) {
        for (int i = from; i < size; i++) {
            if (bytes[i] == a || bytes[i] == b) {
                return true;
            }
        }
        return false;
    }

    void writeTo(java.io.OutputStream out) throws java.io.IOException {
        out.write(bytes, 0, size);
    }

    byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    private void ensure(int extra) {
        int needed = size + extra;
        if (needed > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(needed, bytes.length * 2));
        }
    }

    ByteBuilder append(byte b) {
        ensure(1);
        bytes[size++] = b;
        return this;
    }

    ByteBuilder append(char asciiChar) {
        return append((byte) asciiChar);
    }

    ByteBuilder append(byte[] b) {
        return append(b, 0, b.length);
    }

    ByteBuilder append(byte[] b, int offset, int length) {
        ensure(length);
        System.arraycopy(b, offset, bytes, size, length);
        size += length;
        return this;
    }

    ByteBuilder append(ByteBuilder other) {
        return append(other.bytes, 0, other.size);
    }

    /** Appends a string known to be ASCII (numbers, keywords). */
    ByteBuilder appendAscii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            bytes[size++] = (byte) s.charAt(i);
        }
        return this;
    }

    /** Appends {@code s} as UTF-8; a lone surrogate becomes {@code ?}, as {@link String#getBytes} does. */
    ByteBuilder appendUtf8(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                ensure(1);
                bytes[size++] = (byte) c;
            } else {
                i = appendNonAscii(s, i);
            }
        }
        return this;
    }

    /**
     * Appends {@code s} as UTF-8 with the escaping of the Prometheus text formats: backslash and line
     * feed always, the double quote when {@code escapeQuote} (label values; help text in OpenMetrics).
     */
    ByteBuilder appendEscaped(String s, boolean escapeQuote) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                ensure(2);
                if (c == '\\') {
                    bytes[size++] = '\\';
                    bytes[size++] = '\\';
                } else if (c == '\n') {
                    bytes[size++] = '\\';
                    bytes[size++] = 'n';
                } else if (c == '"' && escapeQuote) {
                    bytes[size++] = '\\';
                    bytes[size++] = '"';
                } else {
                    bytes[size++] = (byte) c;
                }
            } else {
                i = appendNonAscii(s, i);
            }
        }
        return this;
    }

    /** Encodes the non-ASCII character at {@code i}; returns the index of its last char. */
    private int appendNonAscii(String s, int i) {
        ensure(4);
        char c = s.charAt(i);
        if (c < 0x800) {
            bytes[size++] = (byte) (0xc0 | (c >> 6));
            bytes[size++] = (byte) (0x80 | (c & 0x3f));
            return i;
        }
        if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
            int cp = Character.toCodePoint(c, s.charAt(i + 1));
            bytes[size++] = (byte) (0xf0 | (cp >> 18));
            bytes[size++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
            bytes[size++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
            bytes[size++] = (byte) (0x80 | (cp & 0x3f));
            return i + 1;
        }
        if (Character.isSurrogate(c)) {
            bytes[size++] = '?';
            return i;
        }
        bytes[size++] = (byte) (0xe0 | (c >> 12));
        bytes[size++] = (byte) (0x80 | ((c >> 6) & 0x3f));
        bytes[size++] = (byte) (0x80 | (c & 0x3f));
        return i;
    }

    /** The number of bytes {@link #appendUtf8} writes for {@code s}. */
    static int utf8Length(String s) {
        int n = s.length();
        int length = n;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                if (c < 0x800) {
                    length += 1;
                } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    length += 2; // four bytes for two chars
                    i++;
                } else if (!Character.isSurrogate(c)) {
                    length += 2;
                }
            }
        }
        return length;
    }

    /** Appends a protobuf base-128 varint; negative values take ten bytes, as protobuf encodes them. */
    ByteBuilder appendVarint(long value) {
        ensure(10);
        while ((value & ~0x7fL) != 0) {
            bytes[size++] = (byte) ((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        bytes[size++] = (byte) value;
        return this;
    }

    static int varintLength(long value) {
        int length = 1;
        while ((value & ~0x7fL) != 0) {
            value >>>= 7;
            length++;
        }
        return length;
    }

    /** Appends a protobuf fixed64 double (little-endian IEEE 754 bits). */
    ByteBuilder appendFixed64(double value) {
        ensure(8);
        long bits = Double.doubleToRawLongBits(value);
        for (int i = 0; i < 8; i++) {
            bytes[size++] = (byte) (bits >>> (8 * i));
        }
        return this;
    }
}
