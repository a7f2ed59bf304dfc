package io.tidegate.format;

/**
 * How a scrape asks names that are not legacy-valid to be written: the {@code escaping} parameter of
 * its {@code Accept} header, as prometheus/common's {@code model.EscapingScheme} (model/metric.go,
 * v0.61.0 to v0.67.5, the versions upstream Pushgateway 1.11.x is built with) names and applies it.
 * A name that is a valid legacy metric name is never changed by any scheme (expfmt escapes a family
 * only where {@code IsValidLegacyMetricName} fails), so a store of legacy names is served the same
 * bytes whatever the scraper asks.
 */
public enum NameEscaping {
    /** {@code allow-utf-8}: names as they are, quoted in the text formats where not legacy-valid. */
    ALLOW_UTF8("allow-utf-8"),
    /** {@code underscores}: every character a legacy name may not hold becomes {@code _}. */
    UNDERSCORES("underscores"),
    /** {@code dots}: {@code .} becomes {@code _dot_}, {@code _} and every other invalid character {@code __}. */
    DOTS("dots"),
    /** {@code values}: {@code U__}, then {@code _} doubled and every invalid character as {@code _<hex>_}. */
    VALUES("values");

    /**
     * What a scrape gets when it names no scheme: model.NameEscapingScheme's default,
     * {@code UnderscoreEscaping}, which promhttp then names in the Content-Type.
     */
    public static final NameEscaping DEFAULT = UNDERSCORES;

    private final String parameterValue;

    NameEscaping(String parameterValue) {
        this.parameterValue = parameterValue;
    }

    /** The value of the {@code escaping} parameter that names this scheme. */
    public String parameterValue() {
        return parameterValue;
    }

    /** The scheme an {@code escaping} parameter value names, or null for any other value (which expfmt ignores). */
    public static NameEscaping ofParameter(String value) {
        for (NameEscaping scheme : values()) {
            if (scheme.parameterValue.equals(value)) {
                return scheme;
            }
        }
        return null;
    }

    /**
     * {@code name} as this scheme writes it; model.EscapeMetricFamily leaves every legacy-valid
     * metric name alone (and checks label names by the metric name rule too), then model.EscapeName.
     */
    public String escape(String name) {
        if (this == ALLOW_UTF8 || name.isEmpty() || Names.isValidMetricName(name)) {
            return name;
        }
        StringBuilder out = new StringBuilder(name.length() + 8);
        switch (this) {
            case UNDERSCORES -> forEachCodePoint(name, (c, first) -> out.append(isLegacy(c, first) ? Character.toString(c) : "_"));
            case DOTS -> forEachCodePoint(name, (c, first) -> {
                if (c == '_') {
                    out.append("__");
                } else if (c == '.') {
                    out.append("_dot_");
                } else if (isLegacy(c, first)) {
                    out.appendCodePoint(c);
                } else {
                    out.append("__");
                }
            });
            case VALUES -> {
                out.append("U__");
                forEachCodePoint(name, (c, first) -> {
                    if (c == '_') {
                        out.append("__");
                    } else if (isLegacy(c, first)) {
                        out.appendCodePoint(c);
                    } else if (Character.isSurrogate((char) c) && Character.isBmpCodePoint(c)) {
                        out.append("_FFFD_"); // a lone surrogate: Go's utf8.RuneError
                    } else {
                        out.append('_').append(Integer.toHexString(c)).append('_');
                    }
                });
            }
            default -> throw new IllegalStateException(name());
        }
        return out.toString();
    }

    /**
     * model.UnescapeName with ValueEncodingEscaping: {@code U__} followed by the value encoding
     * decodes to the name it encodes; anything else, a malformed encoding included, is returned as
     * it is.
     */
    public static String unescapeValues(String name) {
        if (!name.startsWith("U__")) {
            return name;
        }
        String escaped = name.substring(3);
        StringBuilder out = new StringBuilder(escaped.length());
        top:
        for (int i = 0; i < escaped.length(); i++) {
            char c = escaped.charAt(i);
            if (c != '_') {
                out.append(c);
                continue;
            }
            i++;
            if (i >= escaped.length()) {
                return name;
            }
            if (escaped.charAt(i) == '_') {
                out.append('_');
                continue;
            }
            int value = 0;
            for (int j = 0; i < escaped.length(); j++) {
                if (j >= 6) {
                    return name; // more hex digits than U+10FFFF needs
                }
                char d = escaped.charAt(i);
                if (d == '_') {
                    if (value > Character.MAX_CODE_POINT || (value >= 0xD800 && value <= 0xDFFF)) {
                        return name; // not a rune utf8.ValidRune accepts
                    }
                    out.appendCodePoint(value);
                    continue top;
                }
                int r = d | ('x' - 'X'); // Go's lower(), as strconv has it
                int digit = d > 0x7f ? -1 : r >= '0' && r <= '9' ? r - '0' : r >= 'a' && r <= 'f' ? r - 'a' + 10 : -1;
                if (digit < 0) {
                    return name;
                }
                value = value * 16 + digit;
                i++;
            }
            return name; // no closing underscore
        }
        return out.toString();
    }

    /** model's isValidLegacyRune: a letter, {@code _}, {@code :}, or a digit but not first. */
    private static boolean isLegacy(int c, boolean first) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || (c >= '0' && c <= '9' && !first);
    }

    private interface CodePointVisitor {
        void visit(int codePoint, boolean first);
    }

    private static void forEachCodePoint(String name, CodePointVisitor visitor) {
        for (int i = 0; i < name.length(); ) {
            int c = name.codePointAt(i);
            visitor.visit(c, i == 0);
            i += Character.charCount(c);
        }
    }
}
