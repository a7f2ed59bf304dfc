package io.tidegate.format;

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
