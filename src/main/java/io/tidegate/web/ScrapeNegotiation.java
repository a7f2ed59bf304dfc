package io.tidegate.web;

import io.tidegate.format.MediaType;
import io.tidegate.format.NameEscaping;
import io.tidegate.format.WireFormat;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The one place that decides a scrape's format from its Accept header, honouring q-values as
 * Prometheus sends them: delimited protobuf, OpenMetrics 1.0.0, else text 0.0.4; and how names that
 * are not legacy-valid are written ({@link NameEscaping}), from the {@code escaping} parameter as
 * expfmt's Negotiate reads it (prometheus/common expfmt/encode.go, v0.61.0 to v0.67.5).
 */
public final class ScrapeNegotiation {
    private ScrapeNegotiation() {}

    /** A scrape's answer: its format and its names' escaping, and the Content-Type that names both. */
    public record Scrape(WireFormat format, NameEscaping escaping) {
        /** The format's content type with {@code ; escaping=<scheme>} appended, as promhttp answers (upstream 1.11). */
        public String contentType() {
            return format.format().contentType() + "; escaping=" + escaping.parameterValue();
        }
    }

    /**
     * The format {@link #choose} picks and the escaping expfmt's Negotiate settles on: walking the ranges from
     * the most wanted, each valid {@code escaping} parameter replaces the one before, up to the range that
     * picks the format (all of them when none does); an unknown value is passed over, and none at all leaves
     * {@link NameEscaping#DEFAULT} ({@code underscores}).
     */
    public static Scrape negotiate(String accept) {
        if (accept == null) {
            return new Scrape(WireFormat.TEXT, NameEscaping.DEFAULT);
        }
        List<MediaType> ranges = new ArrayList<>(MediaType.parseList(accept));
        MediaType chosen = chosenRange(ranges);
        ranges.sort(Comparator.comparingDouble(MediaType::quality).reversed()); // stable: equals keep their order
        NameEscaping escaping = NameEscaping.DEFAULT;
        for (MediaType range : ranges) {
            MediaType.Parameter parameter = range.parameter("escaping");
            NameEscaping asked = parameter == null ? null : NameEscaping.ofParameter(parameter.valueIgnoringQuotes());
            if (asked != null) {
                escaping = asked;
            }
            if (range == chosen) {
                break;
            }
        }
        return new Scrape(chosen == null ? WireFormat.TEXT : formatFor(chosen), escaping);
    }

    /** The format of the range with the highest weight above 0 (the first of equals); text if none names one. */
    public static WireFormat choose(String accept) {
        if (accept == null) {
            return WireFormat.TEXT;
        }
        MediaType chosen = chosenRange(MediaType.parseList(accept));
        return chosen == null ? WireFormat.TEXT : formatFor(chosen);
    }

    /** The range that picks the format: the first of the highest weight above 0 that names one; null if none does. */
    private static MediaType chosenRange(List<MediaType> ranges) {
        MediaType best = null;
        double bestQuality = -1;
        for (MediaType range : ranges) {
            WireFormat format = formatFor(range);
            double quality = range.quality();
            if (format != null && quality > 0 && quality > bestQuality) {
                best = range;
                bestQuality = quality;
            }
        }
        return best;
    }

    /** The format a range names, or null; its parameter values are read overlooking stray quotes. */
    private static WireFormat formatFor(MediaType range) {
        return switch (range.essence()) {
            case "application/vnd.google.protobuf" -> "io.prometheus.client.MetricFamily".equals(value(range, "proto"))
                    && "delimited".equals(value(range, "encoding")) ? WireFormat.PROTOBUF : null;
            case "application/openmetrics-text" -> {
                String version = value(range, "version");
                yield version == null || version.equals("1.0.0") || version.equals("0.0.1") ? WireFormat.OPENMETRICS : null;
            }
            case "text/plain", "*/*", "text/*" -> WireFormat.TEXT;
            default -> null;
        };
    }

    private static String value(MediaType range, String name) {
        MediaType.Parameter parameter = range.parameter(name);
        return parameter == null ? null : parameter.valueIgnoringQuotes();
    }
}
