package io.tidegate.format;

/** The scrape formats Tidegate serves, each with the one class that writes it. */
public enum WireFormat {
    TEXT(new PrometheusTextFormat()),
    OPENMETRICS(new OpenMetricsFormat()),
    PROTOBUF(new ProtobufFormat());

    private final ExpositionFormat format;

    WireFormat(ExpositionFormat format) {
        this.format = format;
    }

    public ExpositionFormat format() {
        return format;
    }
}
