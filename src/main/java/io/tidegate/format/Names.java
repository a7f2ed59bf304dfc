package io.tidegate.format;

/**
 * The rules for metric and label names (the Prometheus "legacy" character set), in one place for
 * every ingest path.
 */
public final class Names {
    /** Label names starting with this are reserved for Prometheus' internal use. */
    public static final String RESERVED_PREFIX = "__";

    private Names() {}

    /**
     * {@code value} in double quotes as Prometheus words names and values in its messages: a double quote,
     * a backslash and a newline escaped, every other character as it is.
     */
    public static String quote(String value) {
        StringBuilder text = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> text.append("\\\"");
                case '\\' -> text.append("\\\\");
                case '\n' -> text.append("\\n");
                default -> text.append(c);
            }
        }
        return text.append('"').toString();
    }

    public static boolean isValidMetricName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
            if (!letter && !(i > 0 && c >= '0' && c <= '9')) {
                return false;
            }
        }
        return true;
    }

    public static boolean isValidLabelName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
            if (!letter && !(i > 0 && c >= '0' && c <= '9')) {
                return false;
            }
        }
        return true;
    }

    /** A valid label name that a push may use: not reserved. */
    public static boolean isUsableLabelName(String name) {
        return isValidLabelName(name) && !name.startsWith(RESERVED_PREFIX);
    }

    /**
     * {@code name} made a valid metric name, as Prometheus' own bridges do: every character a name
     * may not hold becomes {@code _}, and a leading digit gets a {@code _} in front. Empty stays
     * empty (no name can be made of nothing).
     */
    public static String sanitiseMetricName(String name) {
        if (name.isEmpty() || isValidMetricName(name)) {
            return name; // the usual case: already a name, nothing to copy
        }
        StringBuilder out = new StringBuilder(name.length() + 1);
        // by code point, so a character outside the BMP becomes one '_', not two
        name.codePoints().forEach(c -> {
            boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
            boolean digit = c >= '0' && c <= '9';
            if (digit && out.length() == 0) {
                out.append('_');
            }
            out.append(letter || digit ? (char) c : '_');
        });
        return out.toString();
    }
}
