package io.tidegate.format;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code Histogram} message of client_model's {@code metrics.proto} as Go holds it after reading
 * a protobuf push: every field, classic and native, with Go's defaults for absent ones and Go's merge
 * for a message given twice (a scalar's last value wins, repeated fields add up).
 *
 * <p>Read from {@link Metric#protoValue()}, the value sub-messages of a metric as a protobuf body gave
 * them, which {@link ProtobufBodyReader} checked against the schema before they were stored; so this
 * reader does not check again, and an inconsistency is a bug ({@link IllegalArgumentException}).
 *
 * <p>Classic histograms have {@link #buckets()}; native ones spans, a schema, a zero bucket and bucket
 * counts, as deltas for integer counts or absolute for float counts ({@link NativeBuckets} turns them
 * into intervals). A histogram is native when it has at least one span, as upstream decides.
 */
public final class HistogramMessage {
    /** One classic bucket as sent: both counts, the float one used when above 0. */
    public record ClassicBucket(double upperBound, long cumulativeCount, double cumulativeCountFloat) {}

    /** A run of native buckets: {@code offset} buckets after the previous run (or at index {@code offset}), {@code length} long (a uint32). */
    public record Span(int offset, long length) {}

    private long sampleCount;
    private double sampleCountFloat;
    private double sampleSum;
    private final List<ClassicBucket> buckets = new ArrayList<>();
    private int schema;
    private double zeroThreshold;
    private long zeroCount;
    private double zeroCountFloat;
    private final List<Span> negativeSpans = new ArrayList<>();
    private final List<Span> positiveSpans = new ArrayList<>();
    private final Longs negativeDeltas = new Longs();
    private final Longs positiveDeltas = new Longs();
    private final Doubles negativeCounts = new Doubles();
    private final Doubles positiveCounts = new Doubles();

    private HistogramMessage() {}

    /**
     * The histogram among a metric's value sub-messages ({@code Metric.histogram}, field 7, merged when
     * given more than once), or null when there is none (the metric came from a text body, or carries
     * another kind of value).
     */
    public static HistogramMessage fromValueBytes(byte[] valueBytes) {
        if (valueBytes == null) {
            return null;
        }
        Wire in = new Wire(valueBytes, 0, valueBytes.length);
        HistogramMessage histogram = null;
        while (in.more()) {
            long tag = in.varint();
            if (tag >>> 3 == 7 && (tag & 7) == Wire.LEN) {
                if (histogram == null) {
                    histogram = new HistogramMessage();
                }
                histogram.merge(in.message());
            } else {
                in.skip((int) tag & 7);
            }
        }
        return histogram;
    }

    private void merge(Wire in) {
        while (in.more()) {
            long tag = in.varint();
            int wire = (int) tag & 7;
            switch ((int) (tag >>> 3)) {
                case 1 -> sampleCount = in.varint();
                case 2 -> sampleSum = in.fixedDouble();
                case 3 -> buckets.add(bucket(in.message()));
                case 4 -> sampleCountFloat = in.fixedDouble();
                case 5 -> schema = zigZag32(in.varint());
                case 6 -> zeroThreshold = in.fixedDouble();
                case 7 -> zeroCount = in.varint();
                case 8 -> zeroCountFloat = in.fixedDouble();
                case 9 -> negativeSpans.add(span(in.message()));
                case 10 -> addZigZag64(negativeDeltas, in, wire);
                case 11 -> addDoubles(negativeCounts, in, wire);
                case 12 -> positiveSpans.add(span(in.message()));
                case 13 -> addZigZag64(positiveDeltas, in, wire);
                case 14 -> addDoubles(positiveCounts, in, wire);
                default -> in.skip(wire);
            }
        }
    }

    private static ClassicBucket bucket(Wire in) {
        long cumulativeCount = 0;
        double cumulativeCountFloat = 0;
        double upperBound = 0;
        while (in.more()) {
            long tag = in.varint();
            switch ((int) (tag >>> 3)) {
                case 1 -> cumulativeCount = in.varint();
                case 2 -> upperBound = in.fixedDouble();
                case 4 -> cumulativeCountFloat = in.fixedDouble();
                default -> in.skip((int) tag & 7);
            }
        }
        return new ClassicBucket(upperBound, cumulativeCount, cumulativeCountFloat);
    }

    private static Span span(Wire in) {
        int offset = 0;
        long length = 0;
        while (in.more()) {
            long tag = in.varint();
            switch ((int) (tag >>> 3)) {
                case 1 -> offset = zigZag32(in.varint());
                case 2 -> length = in.varint() & 0xFFFFFFFFL; // Go: uint32(v)
                default -> in.skip((int) tag & 7);
            }
        }
        return new Span(offset, length);
    }

    /** A sint32 as Go decodes it: the zigzag of the varint's low 32 bits. */
    private static int zigZag32(long varint) {
        int v = (int) varint;
        return (v >>> 1) ^ -(v & 1);
    }

    /** A repeated sint64, packed or one by one. */
    private static void addZigZag64(Longs to, Wire in, int wire) {
        if (wire != Wire.LEN) {
            long v = in.varint();
            to.add((v >>> 1) ^ -(v & 1));
            return;
        }
        Wire packed = in.message();
        while (packed.more()) {
            long v = packed.varint();
            to.add((v >>> 1) ^ -(v & 1));
        }
    }

    /** A repeated double, packed or one by one. */
    private static void addDoubles(Doubles to, Wire in, int wire) {
        if (wire != Wire.LEN) {
            to.add(in.fixedDouble());
            return;
        }
        Wire packed = in.message();
        while (packed.more()) {
            to.add(packed.fixedDouble());
        }
    }

    public long sampleCount() {
        return sampleCount;
    }

    public double sampleCountFloat() {
        return sampleCountFloat;
    }

    public double sampleSum() {
        return sampleSum;
    }

    public List<ClassicBucket> buckets() {
        return List.copyOf(buckets);
    }

    public int schema() {
        return schema;
    }

    public double zeroThreshold() {
        return zeroThreshold;
    }

    public long zeroCount() {
        return zeroCount;
    }

    public double zeroCountFloat() {
        return zeroCountFloat;
    }

    public List<Span> negativeSpans() {
        return List.copyOf(negativeSpans);
    }

    public List<Span> positiveSpans() {
        return List.copyOf(positiveSpans);
    }

    /** The negative buckets' counts of an integer histogram: the first absolute, then deltas. */
    public long[] negativeDeltas() {
        return negativeDeltas.toArray();
    }

    public long[] positiveDeltas() {
        return positiveDeltas.toArray();
    }

    /** The negative buckets' absolute counts of a float histogram. */
    public double[] negativeCounts() {
        return negativeCounts.toArray();
    }

    public double[] positiveCounts() {
        return positiveCounts.toArray();
    }

    /** Whether this is a native histogram: it has a span, positive or negative (upstream's test). */
    public boolean isNative() {
        return !negativeSpans.isEmpty() || !positiveSpans.isEmpty();
    }

    /**
     * Whether a native histogram has float counts (absolute bucket counts in {@code *_count}) rather
     * than integer ones (deltas in {@code *_delta}): its float sample count or float zero count is above
     * 0, as upstream decides.
     */
    public boolean hasFloatCounts() {
        return sampleCountFloat > 0 || zeroCountFloat > 0;
    }

    private static final class Longs {
        private long[] values = new long[8];
        private int size;

        void add(long value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, 2 * size);
            }
            values[size++] = value;
        }

        long[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }

    private static final class Doubles {
        private double[] values = new double[8];
        private int size;

        void add(double value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, 2 * size);
            }
            values[size++] = value;
        }

        double[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }

    /** Protobuf wire primitives over bytes already checked. */
    private static final class Wire {
        static final int VARINT = 0;
        static final int I64 = 1;
        static final int LEN = 2;
        static final int I32 = 5;

        private final byte[] buf;
        private int pos;
        private final int end;

        Wire(byte[] buf, int pos, int end) {
            this.buf = buf;
            this.pos = pos;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        long varint() {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte b = take(1);
                result |= (long) (b & 0x7F) << shift;
                if (b >= 0) {
                    return result;
                }
            }
            throw new IllegalArgumentException("varint longer than 10 bytes at " + pos);
        }

        double fixedDouble() {
            take(8);
            long bits = 0;
            for (int i = 7; i >= 0; i--) {
                bits = bits << 8 | (buf[pos - 8 + i] & 0xFFL);
            }
            return Double.longBitsToDouble(bits);
        }

        /** The length-delimited field that follows, as a reader of its own; this one moves past it. */
        Wire message() {
            long size = varint();
            if (size < 0 || size > end - pos) {
                throw new IllegalArgumentException("length " + size + " past the end at " + pos);
            }
            Wire inner = new Wire(buf, pos, pos + (int) size);
            pos += (int) size;
            return inner;
        }

        void skip(int wire) {
            switch (wire) {
                case VARINT -> varint();
                case I64 -> take(8);
                case LEN -> message();
                case I32 -> take(4);
                default -> throw new IllegalArgumentException("wire type " + wire + " at " + pos);
            }
        }

        /** Moves past {@code n} bytes and returns the last of them. */
        private byte take(int n) {
            if (end - pos < n) {
                throw new IllegalArgumentException("truncated at " + pos);
            }
            pos += n;
            return buf[pos - 1];
        }
    }
}
