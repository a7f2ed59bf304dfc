package io.tidegate.format;

/** The metric types of the Prometheus data model, numbered as in the protobuf exposition format. */
public enum MetricType {
    COUNTER("counter"),
    GAUGE("gauge"),
    SUMMARY("summary"),
    UNTYPED("untyped"),
    HISTOGRAM("histogram"),
    GAUGE_HISTOGRAM("gaugehistogram");

    private final String textName;

    MetricType(String textName) {
        this.textName = textName;
    }

    /** The word used on a {@code # TYPE} line of the text format. */
    public String textName() {
        return textName;
    }

    /** The protobuf enum number. */
    public int protoNumber() {
        return ordinal();
    }

    public static MetricType fromProtoNumber(int number) {
        MetricType[] all = values();
        return number >= 0 && number < all.length ? all[number] : null;
    }

    /** Types whose series are buckets, a sum and a count rather than one value. */
    public boolean isHistogram() {
        return this == HISTOGRAM || this == GAUGE_HISTOGRAM;
    }
}
