package io.tidegate.cli;

import io.tidegate.format.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads a flag's duration in Prometheus syntax or as plain seconds. */
public final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    static String format(Duration duration) {
        return Durations.format(duration);
    }

    /** For an upstream flag that Go's {@code time.ParseDuration} reads there: its syntax is taken too ({@code 1.5h}). */
    public static final class GoToo implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parseWithGoSyntax(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
