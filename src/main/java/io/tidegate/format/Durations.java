package io.tidegate.format;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * Durations as Prometheus writes them ({@code 90s}, {@code 5m}, {@code 1h30m}, {@code 2d},
 * {@code 1w}, {@code 1y}, {@code 250ms}: units from largest to smallest, each at most once), or a
 * plain non-negative number of seconds ({@code 30}, {@code 2.5}).
 */
public final class Durations {
    private static final String[] UNITS = {"y", "w", "d", "h", "m", "s", "ms"};
    private static final long[] UNIT_MILLIS = {
        365L * 24 * 3600 * 1000, 7L * 24 * 3600 * 1000, 24L * 3600 * 1000, 3600 * 1000, 60 * 1000, 1000, 1
    };

    private Durations() {}

    public static Duration parse(String text) {
        String value = text.trim();
        if (value.isEmpty()) {
            throw invalid(text, "empty duration");
        }
        if (isPlainNumber(value)) {
            double seconds = Double.parseDouble(value);
            if (!Double.isFinite(seconds) || seconds > Long.MAX_VALUE / 1000.0) {
                throw invalid(text, "out of range");
            }
            // a positive duration too short to count in milliseconds is still a duration, not zero
            return Duration.ofMillis(seconds > 0 ? Math.max(1, Math.round(seconds * 1000)) : 0);
        }
        long millis = 0;
        int position = 0;
        int lastUnit = -1;
        while (position < value.length()) {
            int digitsStart = position;
            while (position < value.length() && Character.isDigit(value.charAt(position))) {
                position++;
            }
            if (position == digitsStart) {
                throw invalid(text, "expected a number at position " + (position + 1));
            }
            long amount;
            try {
                amount = Long.parseLong(value.substring(digitsStart, position));
            } catch (NumberFormatException e) {
                throw invalid(text, "number too large");
            }
            int unit = unitAt(value, position);
            if (unit < 0) {
                throw invalid(text, "unknown or missing unit at position " + (position + 1)
                        + " (use y, w, d, h, m, s or ms)");
            }
            if (unit <= lastUnit) {
                throw invalid(text, "units must go from largest to smallest, each once");
            }
            lastUnit = unit;
            position += UNITS[unit].length();
            try {
                millis = Math.addExact(millis, Math.multiplyExact(amount, UNIT_MILLIS[unit]));
            } catch (ArithmeticException e) {
                throw invalid(text, "out of range");
            }
        }
        return Duration.ofMillis(millis);
    }

    /**
     * A duration as Prometheus writes it (see {@link #parse}) or, failing that, as Go's
     * {@code time.ParseDuration} reads it: decimal numbers each with a unit, in any order
     * ({@code 1.5h}, {@code 2h45m}, {@code 300ms}, {@code 5m0s}, {@code 90us}; units {@code ns},
     * {@code us} or {@code µs}, {@code ms}, {@code s}, {@code m}, {@code h}). For flags
     * that upstream reads with Go's parser, so its unit files keep working. Negative durations are
     * refused, as {@link #parse} refuses them.
     */
    public static Duration parseWithGoSyntax(String text) {
        try {
            return parse(text);
        } catch (IllegalArgumentException prometheusSyntax) {
            Duration go = parseGo(text.trim());
            if (go == null) {
                throw prometheusSyntax;
            }
            return go;
        }
    }

    private static final String[] GO_UNITS = {"ns", "us", "\u00b5s", "\u03bcs", "ms", "s", "m", "h"};
    private static final long[] GO_UNIT_NANOS = {1, 1_000, 1_000, 1_000, 1_000_000, 1_000_000_000L, 60_000_000_000L,
        3_600_000_000_000L};

    /** Go's syntax, or null when {@code value} is not in it (or out of Go's range, about 292 years). */
    private static Duration parseGo(String value) {
        int position = value.startsWith("+") ? 1 : 0;
        if (position == value.length()) {
            return null;
        }
        BigDecimal nanos = BigDecimal.ZERO;
        while (position < value.length()) {
            int start = position;
            while (position < value.length() && (Character.isDigit(value.charAt(position))
                    || value.charAt(position) == '.')) {
                position++;
            }
            String number = value.substring(start, position);
            if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
                return null;
            }
            int unit = -1;
            for (int i = 0; i < GO_UNITS.length; i++) {
                // the longest unit that fits: "ms" before "m"
                if (value.startsWith(GO_UNITS[i], position) && (unit < 0 || GO_UNITS[i].length() > GO_UNITS[unit].length())) {
                    unit = i;
                }
            }
            if (unit < 0) {
                return null; // a bare "0", which Go also takes, is plain seconds and read by parse
            }
            position += GO_UNITS[unit].length();
            nanos = nanos.add(new BigDecimal(number.endsWith(".") ? number + "0" : number)
                    .multiply(BigDecimal.valueOf(GO_UNIT_NANOS[unit])));
        }
        if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            return null;
        }
        return Duration.ofNanos(nanos.longValue());
    }

    /** The shortest Prometheus spelling: {@code 0s}, {@code 5m}, {@code 1h30m}, {@code 1500ms}. */
    public static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis == 0) {
            return "0s";
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < UNITS.length; i++) {
            long amount = millis / UNIT_MILLIS[i];
            if (amount > 0) {
                text.append(amount).append(UNITS[i]);
                millis -= amount * UNIT_MILLIS[i];
            }
        }
        return text.toString();
    }

    private static int unitAt(String value, int position) {
        if (value.startsWith("ms", position)) {
            return 6;
        }
        for (int i = 0; i < UNITS.length - 1; i++) {
            if (value.startsWith(UNITS[i], position)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isPlainNumber(String value) {
        boolean digits = false;
        boolean dot = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isDigit(c)) {
                digits = true;
            } else if (c == '.' && !dot) {
                dot = true;
            } else {
                return false;
            }
        }
        return digits;
    }

    private static IllegalArgumentException invalid(String text, String why) {
        return new IllegalArgumentException("invalid duration " + io.tidegate.format.GoQuote.string(text) + ": " + why);
    }
}
