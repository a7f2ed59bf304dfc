package io.tidegate.persist;

import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The framing shared by snapshots and journals. A file starts with a header: the magic
 * {@code TIDEGATE}, a format version and a generation, then a CRC32C of those. Each record follows
 * as its payload length, the payload's CRC32C and the payload.
 *
 * <p>A record torn by a crash or changed on disk fails its length or its checksum. Reading then
 * resynchronises: it looks at every following byte for the start of a record (a length that fits
 * the file, a first payload byte the reader accepts, a checksum that verifies, a payload that
 * decodes) and goes on from the first it finds. So damage costs the records it touches and nothing
 * after them; damage that reaches the end of the file (a tail torn by a crash) costs the tail.
 * The format has no sync marker, so a record hidden inside another record's payload could be taken
 * for a record if the bytes just before it were damaged; random damage makes one with a chance of
 * about 2^-32 per position scanned, as every checksum does.
 */
final class RecordFile {
    static final int VERSION = 1;
    static final int HEADER_BYTES = 24;
    static final int FRAME_BYTES = 8;
    /** How much of a damaged record {@link Reader#describe} is shown: its key is at its start. */
    private static final int DESCRIBED_BYTES = 1 << 20;
    private static final byte[] MAGIC = "TIDEGATE".getBytes(StandardCharsets.US_ASCII);

    private RecordFile() {}

    /** What reading hands intact records to, and asks about damaged ones; a lambda takes any payload and names none. */
    @FunctionalInterface
    interface Reader {
        /**
         * Takes one intact payload, in file order.
         *
         * @throws IllegalArgumentException when the payload does not decode (taken as damage)
         */
        void record(byte[] payload);

        /** Whether a payload may start with {@code firstByte}; a quick test before a checksum while resynchronising. */
        default boolean mayStartWith(int firstByte) {
            return true;
        }

        /** What the damaged (perhaps partial) {@code payload} was for, as far as it still tells: a grouping key; null if it does not. */
        default String describe(byte[] payload) {
            return null;
        }
    }

    /**
     * One damaged run of bytes that reading skipped: where it starts, how long it is, how many
     * records it held ({@code recordsExact} false when the damage hid the boundaries, and then
     * {@code records} is those that could be told, at least 1), what those were for as far as the
     * damaged bytes tell ({@code lost}), why the first failed, and whether it runs to the end of
     * the file (a torn tail) or intact records follow it.
     */
    record Damage(long offset, long bytes, int records, boolean recordsExact, List<String> lost, String cause,
            boolean tail) {}

    /**
     * What reading a file found: its generation (-1 when its header was unreadable), how many
     * records were intact, the file's length, and the damaged runs skipped, in file order.
     */
    record Contents(long generation, long records, long fileBytes, List<Damage> damage) {
        long lostBytes() {
            return damage.stream().mapToLong(Damage::bytes).sum();
        }

        boolean damaged() {
            return !damage.isEmpty();
        }

        /** Whether some damage has intact records after it: more than a tail torn by a crash. */
        boolean damagedMidFile() {
            return damage.stream().anyMatch(run -> !run.tail());
        }
    }

    static byte[] header(long generation) {
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        header.put(MAGIC).putInt(VERSION).putLong(generation);
        header.putInt(crc(header.array(), 0, HEADER_BYTES - 4));
        return header.array();
    }

    static void frame(byte[] payload, DataOutputStream out) throws IOException {
        out.writeInt(payload.length);
        out.writeInt(crc(payload, 0, payload.length));
        out.write(payload);
    }

    /**
     * Reads {@code path}, handing each intact payload to {@code reader} in order and skipping
     * damaged runs (see the class). A payload that passes its checksum but does not decode is
     * damage like any other. A file that does not start as a Tidegate file starts, or that a newer
     * version wrote, is an UncheckedIOException naming it: it is someone else's data.
     */
    static Contents read(Path path, Reader reader) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            Bytes in = new Bytes(channel);
            long size = in.size;
            byte[] header = in.get(0, (int) Math.min(HEADER_BYTES, size));
            if (!startsAsTidegateFile(header)) {
                throw refusal(path + " is not a Tidegate persistence file (a file of the upstream Pushgateway"
                        + " cannot be read); move it away or choose another --persistence.file");
            }
            if (header.length < HEADER_BYTES) {
                // a crash right after the file was created: nothing in it had been acknowledged
                return new Contents(-1, 0, size, size == 0 ? List.of()
                        : List.of(new Damage(0, size, 0, true, List.of(), "header cut short", true)));
            }
            ByteBuffer fields = ByteBuffer.wrap(header);
            fields.position(MAGIC.length);
            int version = fields.getInt();
            long generation = fields.getLong();
            if (fields.getInt() != crc(header, 0, HEADER_BYTES - 4)) {
                // the generation cannot be trusted, so neither can the records: which snapshot they follow is unknown.
                // Not a tear: a crash does not change a header that was synced before any record was written.
                Damage records = damaged(in, HEADER_BYTES, size, "header checksum mismatch", reader);
                return new Contents(-1, 0, size, List.of(new Damage(0, size, records.records(), records.recordsExact(),
                        records.lost(), records.cause(), false)));
            }
            if (version != VERSION) {
                throw refusal(path + " was written by a Tidegate with persistence format " + version
                        + "; this one reads format " + VERSION);
            }
            List<Damage> damage = new ArrayList<>();
            long offset = HEADER_BYTES;
            long records = 0;
            while (offset < size) {
                String cause = readRecord(in, offset, reader);
                if (cause == null) {
                    offset += FRAME_BYTES + in.lengthAt(offset);
                    records++;
                    continue;
                }
                long next = offset + 1;
                while (next < size && readRecord(in, next, reader) != null) {
                    next++;
                }
                damage.add(damaged(in, offset, next, cause, reader));
                if (next < size) {
                    records++; // the record resynchronised on was taken by readRecord
                    next += FRAME_BYTES + in.lengthAt(next);
                }
                offset = next;
            }
            return new Contents(generation, records, size, List.copyOf(damage));
        }
    }

    /**
     * Hands the record at {@code offset} to {@code reader} if it is intact: its length fits the
     * file, its first byte may start a payload, its checksum verifies and it decodes. Null then;
     * otherwise what is wrong with it.
     */
    private static String readRecord(Bytes in, long offset, Reader reader) throws IOException {
        long remaining = in.size - offset;
        if (remaining < FRAME_BYTES) {
            return "record frame cut short";
        }
        int length = in.lengthAt(offset);
        if (length <= 0 || length > remaining - FRAME_BYTES) {
            return "record length " + length + (length <= 0 ? " is impossible" : " runs past the end of the file");
        }
        if (!reader.mayStartWith(in.byteAt(offset + FRAME_BYTES))) {
            return "record checksum mismatch"; // it would fail the checksum too; this only saves computing it
        }
        byte[] payload;
        if (length <= Bytes.WINDOW) {
            payload = in.get(offset + FRAME_BYTES, length);
            if (in.intAt(offset + 4) != crc(payload, 0, length)) {
                return "record checksum mismatch";
            }
        } else {
            // checked before the payload is taken: while resynchronising, a length read from damaged bytes may be huge
            if (in.intAt(offset + 4) != in.crc(offset + FRAME_BYTES, length)) {
                return "record checksum mismatch";
            }
            payload = in.get(offset + FRAME_BYTES, length);
        }
        try {
            reader.record(payload);
            return null;
        } catch (IllegalArgumentException e) {
            return "record does not decode: " + e.getMessage();
        }
    }

    /**
     * The damaged run from {@code from} to {@code to}: its records counted by following the length
     * fields as they are, exact if they lead to {@code to}, and each described as far as its bytes tell.
     */
    private static Damage damaged(Bytes in, long from, long to, String cause, Reader reader) throws IOException {
        List<String> lost = new ArrayList<>();
        int records = 0;
        long at = from;
        while (at + FRAME_BYTES <= to) {
            int length = in.lengthAt(at);
            if (length <= 0) {
                break;
            }
            long end = Math.min(to, at + FRAME_BYTES + Math.min(length, DESCRIBED_BYTES));
            records++;
            String what = describe(reader, in.get(at + FRAME_BYTES, (int) (end - at - FRAME_BYTES)));
            if (what != null) {
                lost.add(what);
            }
            at = at + FRAME_BYTES + (long) length;
        }
        boolean exact = at == to;
        return new Damage(from, to - from, Math.max(records, 1), exact, List.copyOf(lost), cause, to == in.size);
    }

    private static String describe(Reader reader, byte[] payload) {
        try {
            return payload.length == 0 ? null : reader.describe(payload);
        } catch (RuntimeException e) {
            return null; // damaged bytes may fail in any way; they then tell nothing
        }
    }

    private static UncheckedIOException refusal(String message) {
        return new UncheckedIOException(message, new IOException(message));
    }

    private static boolean startsAsTidegateFile(byte[] header) {
        int compared = Math.min(header.length, MAGIC.length);
        return Arrays.equals(header, 0, compared, MAGIC, 0, compared);
    }

    static int crc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    /**
     * The file's bytes by position, through a 64 KiB window that moves as reading goes: records
     * are read in order and resynchronising looks a few bytes ahead, so most reads hit the window.
     */
    private static final class Bytes {
        private final FileChannel channel;
        final long size;
        static final int WINDOW = 1 << 16;
        private final ByteBuffer window = ByteBuffer.allocate(WINDOW);
        private long windowStart;

        Bytes(FileChannel channel) throws IOException {
            this.channel = channel;
            this.size = channel.size();
            window.limit(0);
        }

        /** The record length field at {@code offset}, which must have 4 bytes after it. */
        int lengthAt(long offset) throws IOException {
            return intAt(offset);
        }

        int intAt(long offset) throws IOException {
            return ByteBuffer.wrap(get(offset, 4)).getInt();
        }

        int byteAt(long offset) throws IOException {
            return get(offset, 1)[0] & 0xff;
        }

        /** The CRC32C of {@code length} bytes from {@code offset}, all within the file, read a window at a time. */
        int crc(long offset, int length) throws IOException {
            CRC32C crc = new CRC32C();
            long end = offset + length;
            for (long at = offset; at < end; ) {
                int chunk = (int) Math.min(window.capacity(), end - at);
                crc.update(get(at, chunk));
                at += chunk;
            }
            return (int) crc.getValue();
        }

        /** {@code length} bytes from {@code offset}, all within the file. */
        byte[] get(long offset, int length) throws IOException {
            byte[] bytes = new byte[length];
            if (length > window.capacity()) {
                ByteBuffer direct = ByteBuffer.wrap(bytes);
                while (direct.hasRemaining()) {
                    if (channel.read(direct, offset + direct.position()) < 0) {
                        throw new EOFException("the file shrank while it was read");
                    }
                }
                return bytes;
            }
            if (offset < windowStart || offset + length > windowStart + window.limit()) {
                window.clear();
                windowStart = offset;
                while (window.position() < Math.min(window.capacity(), size - offset)) {
                    if (channel.read(window, offset + window.position()) < 0) {
                        throw new EOFException("the file shrank while it was read");
                    }
                }
                window.flip();
            }
            window.get((int) (offset - windowStart), bytes);
            return bytes;
        }
    }
}
