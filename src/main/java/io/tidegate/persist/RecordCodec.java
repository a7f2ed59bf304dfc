package io.tidegate.persist;

import io.tidegate.format.Bucket;
import io.tidegate.format.Label;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.MetricType;
import io.tidegate.format.Quantile;
import io.tidegate.store.Digest;
import io.tidegate.store.RetainedMemory;
import io.tidegate.store.Group;
import io.tidegate.key.GroupingKey;
import io.tidegate.store.Source;
import io.tidegate.store.StoredFamily;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The payload of a {@link JournalRecord}: a tag byte, then the fields in a fixed order. Every field
 * of a {@link Metric} is written as it is held, rather than through one of the exposition formats,
 * because none of them keeps all of it (the raw protobuf value, which value fields a protobuf metric
 * carried, a help that was absent rather than empty, the exact bits of a NaN): a restored group must
 * scrape byte for byte as it did before the restart.
 */
final class RecordCodec {
    private static final int GROUP_WRITTEN = 1;
    private static final int GROUP_DELETED = 2;
    private static final int WIPED = 3;
    private static final int REMEMBERED = 4;
    private static final int NO_SOURCE = 0xff;
    private static final MetricType[] TYPES = MetricType.values();
    private static final Source.Kind[] KINDS = Source.Kind.values();

    // one per thread (the journal writer, a snapshot): encoding reuses it instead of growing a new array per record
    private static final ThreadLocal<Sink> SINK = ThreadLocal.withInitial(Sink::new);

    private RecordCodec() {}

    static byte[] encode(JournalRecord record) {
        Sink out = SINK.get();
        out.size = 0;
        if (record instanceof JournalRecord.GroupWritten written) {
            out.writeByte(GROUP_WRITTEN);
            writeGroup(out, written.group());
        } else if (record instanceof JournalRecord.GroupDeleted deleted) {
            out.writeByte(GROUP_DELETED);
            writeKey(out, deleted.key());
        } else if (record instanceof JournalRecord.Wiped) {
            out.writeByte(WIPED);
        } else if (record instanceof JournalRecord.Remembered remembered) {
            out.writeByte(REMEMBERED);
            writeString(out, remembered.entry().topic());
            out.writeLong(remembered.entry().digest().high());
            out.writeLong(remembered.entry().digest().low());
        }
        return Arrays.copyOf(out.bytes, out.size);
    }

    /** The record of {@code payload}; one that does not decode is an IllegalArgumentException. */
    static JournalRecord decode(byte[] payload) {
        Cursor in = new Cursor(ByteBuffer.wrap(payload));
        try {
            int tag = in.readUnsignedByte();
            JournalRecord record;
            switch (tag) {
                case GROUP_WRITTEN:
                    record = new JournalRecord.GroupWritten(readGroup(in));
                    break;
                case GROUP_DELETED:
                    record = new JournalRecord.GroupDeleted(readKey(in));
                    break;
                case WIPED:
                    record = new JournalRecord.Wiped();
                    break;
                case REMEMBERED:
                    record = new JournalRecord.Remembered(
                            new RetainedMemory.Entry(readString(in), new Digest(in.readLong(), in.readLong())));
                    break;
                default:
                    throw new IllegalArgumentException("unknown record tag " + tag);
            }
            if (in.available() > 0) {
                throw new IllegalArgumentException(in.available() + " bytes left over after a record");
            }
            return record;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("record cut short", e);
        }
    }

    /** Whether {@code firstByte} is the tag of some record: a payload starting otherwise is not one. */
    static boolean isTag(int firstByte) {
        return firstByte >= GROUP_WRITTEN && firstByte <= REMEMBERED;
    }

    /**
     * What the damaged, perhaps partial {@code payload} was a record of, as far as its first bytes
     * still tell: the grouping key of a written or deleted group, a wipe, the topic of a retained
     * message remembered; null when they do not tell. A key is read as the bytes hold it, so damage
     * inside the key itself shows as a wrong key.
     */
    static String describe(byte[] payload) {
        Cursor in = new Cursor(ByteBuffer.wrap(payload));
        try {
            switch (in.readUnsignedByte()) {
                case GROUP_WRITTEN:
                    return readKey(in).toString();
                case GROUP_DELETED:
                    return "deletion of " + readKey(in);
                case WIPED:
                    return "a wipe";
                case REMEMBERED:
                    return "retained message memory of topic " + readString(in);
                default:
                    return null;
            }
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return null;
        }
    }

    private static void writeGroup(Sink out, Group group) {
        writeKey(out, group.key());
        Source source = group.source();
        out.writeByte(source == null ? NO_SOURCE : source.kind().ordinal());
        if (source != null) {
            writeString(out, source.detail());
            out.writeBoolean(source.retained());
        }
        out.writeLong(group.deadlineMillis());
        out.writeBoolean(group.tombstone());
        List<StoredFamily> gauges = group.ownGauges();
        out.writeInt(group.pushedFamilies().size() + gauges.size());
        for (StoredFamily family : group.pushedFamilies().values()) {
            writeStoredFamily(out, family);
        }
        for (StoredFamily gauge : gauges) {
            writeStoredFamily(out, gauge);
        }
    }

    private static void writeStoredFamily(Sink out, StoredFamily family) {
        out.writeLong(family.writtenAtMillis());
        out.writeLong(family.deadlineMillis());
        out.writeLong(family.ttlMillis());
        writeFamily(out, family.family());
    }

    private static Group readGroup(Cursor in) {
        GroupingKey key = readKey(in);
        int kind = in.readUnsignedByte();
        Source source = kind == NO_SOURCE ? null
                : new Source(KINDS[checkedIndex(kind, KINDS.length)], readString(in), in.readBoolean());
        long deadline = in.readLong();
        boolean tombstone = in.readBoolean();
        int count = readCount(in);
        Map<String, StoredFamily> families = new HashMap<>();
        for (int i = 0; i < count; i++) {
            long writtenAt = in.readLong();
            long familyDeadline = in.readLong();
            long ttl = in.readLong();
            MetricFamily family = readFamily(in);
            families.put(family.name(), StoredFamily.restored(family, writtenAt, familyDeadline, ttl));
        }
        return new Group(key, families, source, deadline, tombstone);
    }

    private static void writeKey(Sink out, GroupingKey key) {
        writeLabels(out, key.labels());
    }

    private static GroupingKey readKey(Cursor in) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (Label label : readLabels(in)) {
            labels.put(label.name(), label.value());
        }
        return GroupingKey.of(labels);
    }

    private static void writeFamily(Sink out, MetricFamily family) {
        writeString(out, family.name());
        writeString(out, family.help());
        out.writeByte(family.type().ordinal());
        out.writeInt(family.metrics().size());
        for (Metric metric : family.metrics()) {
            writeLabels(out, metric.labels());
            writeDouble(out, metric.value());
            writeDouble(out, metric.count());
            writeDouble(out, metric.sum());
            out.writeInt(metric.quantiles().size());
            for (Quantile quantile : metric.quantiles()) {
                writeDouble(out, quantile.quantile());
                writeDouble(out, quantile.value());
            }
            out.writeInt(metric.buckets().size());
            for (Bucket bucket : metric.buckets()) {
                writeDouble(out, bucket.upperBound());
                writeDouble(out, bucket.cumulativeCount());
            }
            out.writeBoolean(metric.timestampMs() != null);
            if (metric.timestampMs() != null) {
                out.writeLong(metric.timestampMs());
            }
            writeBytes(out, metric.protoValue());
            out.writeInt(metric.valueKinds());
        }
    }

    private static MetricFamily readFamily(Cursor in) {
        String name = readString(in);
        String help = readString(in);
        MetricType type = TYPES[checkedIndex(in.readUnsignedByte(), TYPES.length)];
        int count = readCount(in);
        List<Metric> metrics = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            List<Label> labels = readLabels(in);
            double value = readDouble(in);
            double sampleCount = readDouble(in);
            double sum = readDouble(in);
            int quantileCount = readCount(in);
            List<Quantile> quantiles = new ArrayList<>(quantileCount);
            for (int q = 0; q < quantileCount; q++) {
                quantiles.add(new Quantile(readDouble(in), readDouble(in)));
            }
            int bucketCount = readCount(in);
            List<Bucket> buckets = new ArrayList<>(bucketCount);
            for (int b = 0; b < bucketCount; b++) {
                buckets.add(new Bucket(readDouble(in), readDouble(in)));
            }
            Long timestamp = in.readBoolean() ? in.readLong() : null;
            byte[] protoValue = readBytes(in);
            metrics.add(new Metric(labels, value, sampleCount, sum, quantiles, buckets, timestamp, protoValue,
                    in.readInt()));
        }
        return new MetricFamily(name, help, type, metrics);
    }

    private static void writeLabels(Sink out, List<Label> labels) {
        out.writeInt(labels.size());
        for (Label label : labels) {
            writeString(out, label.name());
            writeString(out, label.value());
        }
    }

    private static List<Label> readLabels(Cursor in) {
        int count = readCount(in);
        List<Label> labels = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            labels.add(new Label(readString(in), readString(in)));
        }
        return labels;
    }

    // raw bits: a NaN keeps the payload it was pushed with
    private static void writeDouble(Sink out, double value) {
        out.writeLong(Double.doubleToRawLongBits(value));
    }

    private static double readDouble(Cursor in) {
        return Double.longBitsToDouble(in.readLong());
    }

    /** Length-prefixed UTF-8, -1 for null: writeUTF stops at 64 KiB, and label values may be longer. */
    private static void writeString(Sink out, String text) {
        writeBytes(out, text == null ? null : text.getBytes(StandardCharsets.UTF_8));
    }

    private static String readString(Cursor in) {
        byte[] bytes = readBytes(in);
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static void writeBytes(Sink out, byte[] bytes) {
        out.writeInt(bytes == null ? -1 : bytes.length);
        if (bytes != null) {
            out.write(bytes);
        }
    }

    private static byte[] readBytes(Cursor in) {
        int length = in.readInt();
        if (length == -1) {
            return null;
        }
        byte[] bytes = new byte[checkedLength(length, in)];
        in.readFully(bytes);
        return bytes;
    }

    // a count is followed by at least one byte per element: more than are left is a corrupt record
    private static int readCount(Cursor in) {
        return checkedLength(in.readInt(), in);
    }

    private static int checkedLength(int length, Cursor in) {
        if (length < 0 || length > in.available()) {
            throw new IllegalArgumentException("length " + length + " exceeds the record");
        }
        return length;
    }

    private static int checkedIndex(int index, int size) {
        if (index >= size) {
            throw new IllegalArgumentException("unknown enum value " + index);
        }
        return index;
    }

    /** A growable byte array without the per-call locking of ByteArrayOutputStream and DataOutputStream. */
    private static final class Sink {
        byte[] bytes = new byte[4096];
        int size;

        private void ensure(int extra) {
            if (size + extra > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + extra));
            }
        }

        void writeByte(int value) {
            ensure(1);
            bytes[size++] = (byte) value;
        }

        void writeBoolean(boolean value) {
            writeByte(value ? 1 : 0);
        }

        void writeInt(int value) {
            ensure(4);
            for (int shift = 24; shift >= 0; shift -= 8) {
                bytes[size++] = (byte) (value >>> shift);
            }
        }

        void writeLong(long value) {
            ensure(8);
            for (int shift = 56; shift >= 0; shift -= 8) {
                bytes[size++] = (byte) (value >>> shift);
            }
        }

        void write(byte[] value) {
            ensure(value.length);
            System.arraycopy(value, 0, bytes, size, value.length);
            size += value.length;
        }
    }

    /** Reads what a {@link Sink} wrote; running off the end is a BufferUnderflowException. */
    private static final class Cursor {
        private final ByteBuffer buffer;

        Cursor(ByteBuffer buffer) {
            this.buffer = buffer;
        }

        int readUnsignedByte() {
            return buffer.get() & 0xff;
        }

        boolean readBoolean() {
            return buffer.get() != 0;
        }

        int readInt() {
            return buffer.getInt();
        }

        long readLong() {
            return buffer.getLong();
        }

        void readFully(byte[] into) {
            buffer.get(into);
        }

        int available() {
            return buffer.remaining();
        }
    }
}
