package io.tidegate.web;

import io.tidegate.format.WireFormat;
import java.util.Locale;

/**
 * The one place that decides a scrape's format from its Accept header, honouring q-values as
 * Prometheus sends them: delimited protobuf, OpenMetrics 1.0.0, else text 0.0.4.
 */
public final class ScrapeNegotiation {
    private ScrapeNegotiation() {}

    public static WireFormat choose(String accept) {
        if (accept == null || accept.isBlank()) {
            return WireFormat.TEXT;
        }
        WireFormat best = WireFormat.TEXT;
        double bestQuality = -1;
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            if (parts.length == 0) {
                continue; // a range of only semicolons names nothing
            }
            String mediaType = parts[0].trim().toLowerCase(Locale.ROOT);
            double quality = 1;
            String proto = null;
            String encoding = null;
            String version = null;
            for (int i = 1; i < parts.length; i++) {
                String[] parameter = parts[i].trim().split("=", 2);
                if (parameter.length != 2) {
                    continue;
                }
                String name = parameter[0].trim().toLowerCase(Locale.ROOT);
                String value = parameter[1].trim().replace("\"", "");
                switch (name) {
                    case "q" -> quality = parseQuality(value);
                    case "proto" -> proto = value;
                    case "encoding" -> encoding = value;
                    case "version" -> version = value;
                    default -> { }
                }
            }
            WireFormat format = formatFor(mediaType, proto, encoding, version);
            if (format != null && quality > 0 && quality > bestQuality) {
                best = format;
                bestQuality = quality;
            }
        }
        return best;
    }

    private static WireFormat formatFor(String mediaType, String proto, String encoding, String version) {
        switch (mediaType) {
            case "application/vnd.google.protobuf":
                return "io.prometheus.client.MetricFamily".equals(proto) && "delimited".equals(encoding)
                        ? WireFormat.PROTOBUF : null;
            case "application/openmetrics-text":
                return version == null || version.equals("1.0.0") || version.equals("0.0.1")
                        ? WireFormat.OPENMETRICS : null;
            case "text/plain":
            case "*/*":
            case "text/*":
                return WireFormat.TEXT;
            default:
                return null;
        }
    }

    private static double parseQuality(String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
