package io.tidegate.cli;

import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads a size in bytes: a plain number, or one with a unit ({@code 512KiB}, {@code 32MiB}, {@code 1GB}). */
public final class ByteSizeConverter implements ITypeConverter<Long> {
    private static final String[][] UNITS = {
        {"kib", "1024"}, {"mib", "1048576"}, {"gib", "1073741824"},
        {"kb", "1000"}, {"mb", "1000000"}, {"gb", "1000000000"}, {"b", "1"}
    };

    @Override
    public Long convert(String value) {
        String text = value.trim().toLowerCase(Locale.ROOT);
        long multiplier = 1;
        for (String[] unit : UNITS) {
            if (text.endsWith(unit[0])) {
                multiplier = Long.parseLong(unit[1]);
                text = text.substring(0, text.length() - unit[0].length()).trim();
                break;
            }
        }
        try {
            long amount = Long.parseLong(text);
            if (amount <= 0) {
                throw new TypeConversionException("size must be positive: \"" + value + "\"");
            }
            return Math.multiplyExact(amount, multiplier);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new TypeConversionException("invalid size \"" + value + "\" (use e.g. 1048576, 512KiB, 32MiB)");
        }
    }
}
