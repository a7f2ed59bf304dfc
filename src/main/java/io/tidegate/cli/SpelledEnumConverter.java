package io.tidegate.cli;

import java.util.Arrays;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a flag value into an enum whose constants are spelled on the command line other than their
 * Java names ({@code 3.1.1}, {@code ignore-unseen}); the spelling is the constant's {@code toString()}.
 */
abstract class SpelledEnumConverter<E extends Enum<E>> implements ITypeConverter<E> {
    private final Class<E> type;
    private final String flag;

    SpelledEnumConverter(Class<E> type, String flag) {
        this.type = type;
        this.flag = flag;
    }

    @Override
    public E convert(String value) {
        for (E constant : type.getEnumConstants()) {
            if (constant.toString().equals(value)) {
                return constant;
            }
        }
        String choices = Arrays.stream(type.getEnumConstants()).map(Object::toString).collect(Collectors.joining(", "));
        throw new TypeConversionException("invalid " + flag + " \"" + value + "\" (one of: " + choices + ")");
    }
}
