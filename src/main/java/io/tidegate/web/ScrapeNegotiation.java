package io.tidegate.web;

import io.tidegate.format.MediaType;
import io.tidegate.format.WireFormat;

/**
 * The one place that decides a scrape's format from its Accept header, honouring q-values as
 * Prometheus sends them: delimited protobuf, OpenMetrics 1.0.0, else text 0.0.4.
 */
public final class ScrapeNegotiation {
    private ScrapeNegotiation() {}

    /** The format of the range with the highest weight above 0 (the first of equals); text if none names one. */
    public static WireFormat choose(String accept) {
        if (accept == null) {
            return WireFormat.TEXT;
        }
        WireFormat best = WireFormat.TEXT;
        double bestQuality = -1;
        for (MediaType range : MediaType.parseList(accept)) {
            WireFormat format = formatFor(range);
            double quality = range.quality();
            if (format != null && quality > 0 && quality > bestQuality) {
                best = format;
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
