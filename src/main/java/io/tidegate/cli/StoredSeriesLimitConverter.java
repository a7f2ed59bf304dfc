package io.tidegate.cli;

import io.tidegate.store.WriteLimits;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads {@code --store.max-series}: a count, 0 for no limit, or {@code auto} for as many series as
 * fit half of this JVM's heap ({@link WriteLimits#seriesFittingHeap}).
 */
public final class StoredSeriesLimitConverter implements ITypeConverter<Long> {
    public static final String AUTO = "auto";

    @Override
    public Long convert(String value) {
        String text = value.trim();
        if (text.equals(AUTO)) {
            return WriteLimits.seriesFittingHeap(Runtime.getRuntime().maxMemory());
        }
        try {
            long count = Long.parseLong(text);
            if (count >= 0) {
                return count;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new TypeConversionException("invalid --store.max-series \"" + value
                + "\" (a count of series, 0 for no limit, or auto for as many as fit half the heap)");
    }
}
