package io.tidegate.format;

/**
 * Which metric and label names a push may use: the legacy character set (the default, as upstream
 * without its flag), or any UTF-8 text ({@code --push.enable-utf8-names}, as upstream 1.11's
 * {@code model.UTF8Validation}). One value, chosen at startup and handed to every reader of names
 * (text and protobuf bodies, grouping-key paths and MQTT topics, mapping rules, the store), so HTTP
 * and MQTT accept the same names.
 */
public enum NameValidation {
    /** {@code [a-zA-Z_:][a-zA-Z0-9_:]*} for metric names, {@code [a-zA-Z_][a-zA-Z0-9_]*} for label names. */
    LEGACY,
    /** Any non-empty, well-formed UTF-8 text (a Java string without lone surrogates). */
    UTF8;

    public boolean isValidMetricName(String name) {
        return this == LEGACY ? Names.isValidMetricName(name) : isUtf8Name(name);
    }

    public boolean isValidLabelName(String name) {
        return this == LEGACY ? Names.isValidLabelName(name) : isUtf8Name(name);
    }

    /** A valid label name that a push may use: not reserved ({@code __} is reserved whatever the scheme). */
    public boolean isUsableLabelName(String name) {
        return isValidLabelName(name) && !name.startsWith(Names.RESERVED_PREFIX);
    }

    /**
     * A label name from a grouping-key path or topic, as upstream reads it: with UTF-8 names, a name
     * written in the {@code U__} value encoding ({@code U__foo_2e_bar} for {@code foo.bar}) is decoded
     * (model.UnescapeName with ValueEncodingEscaping); without, the name as written.
     */
    public String pathLabelName(String written) {
        return this == UTF8 ? NameEscaping.unescapeValues(written) : written;
    }

    private static boolean isUtf8Name(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 == name.length() || !Character.isLowSurrogate(name.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
