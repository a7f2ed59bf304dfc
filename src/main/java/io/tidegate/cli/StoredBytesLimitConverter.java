package io.tidegate.cli;

import io.tidegate.store.WriteLimits;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads {@code --store.max-bytes}: a size ({@code 512MiB}, {@code 2GB}, a plain number of bytes), 0 for no
 * limit, or {@code auto} for half of this JVM's heap ({@link WriteLimits#bytesFittingHeap}).
 */
public final class StoredBytesLimitConverter implements ITypeConverter<Long> {
    public static final String AUTO = "auto";

    @Override
    public Long convert(String value) {
        String text = value.trim();
        if (text.equals(AUTO)) {
            return WriteLimits.bytesFittingHeap(Runtime.getRuntime().maxMemory());
        }
        if (text.equals("0")) {
            return 0L;
        }
        try {
            return new ByteSizeConverter().convert(text);
        } catch (TypeConversionException e) {
            throw new TypeConversionException("invalid --store.max-bytes \"" + value
                    + "\" (a size such as 512MiB, 0 for no limit, or auto for half the heap)");
        }
    }
}
