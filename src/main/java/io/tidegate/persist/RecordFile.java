package io.tidegate.persist;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * The framing shared by snapshots and journals. A file starts with a header: the magic
 * {@code TIDEGATE}, a format version and a generation, then a CRC32C of those. Each record follows
 * as its payload length, the payload's CRC32C and the payload. A record torn by a crash or changed
 * on disk fails its length or checksum; reading stops there, so what is read is always a prefix of
 * what was written.
 */
final class RecordFile {
    static final int VERSION = 1;
    static final int HEADER_BYTES = 24;
    static final int FRAME_BYTES = 8;
    private static final byte[] MAGIC = "TIDEGATE".getBytes(StandardCharsets.US_ASCII);

    private RecordFile() {}

    /**
     * What reading a file found: its generation (-1 when its header was unreadable), how many
     * records were intact, and how far they reach ({@code intactBytes}) of the file's length. The
     * damage, if any, starts at {@code intactBytes}.
     */
    record Contents(long generation, long records, long intactBytes, long fileBytes, String damage) {
        long lostBytes() {
            return fileBytes - intactBytes;
        }

        boolean damaged() {
            return damage != null;
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
     * Reads {@code path}, handing each intact payload to {@code onRecord} in order. A payload that
     * passes its checksum but does not decode (IllegalArgumentException from {@code onRecord}) is
     * damage like any other. A file that does not start as a Tidegate file starts, or that a newer
     * version wrote, is an UncheckedIOException naming it: it is someone else's data.
     */
    static Contents read(Path path, Consumer<byte[]> onRecord) throws IOException {
        long size = Files.size(path);
        try (InputStream raw = Files.newInputStream(path);
                DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            byte[] header = in.readNBytes(HEADER_BYTES);
            if (!startsAsTidegateFile(header)) {
                throw refusal(path + " is not a Tidegate persistence file (a file of the upstream Pushgateway"
                        + " cannot be read); move it away or choose another --persistence.file");
            }
            if (header.length < HEADER_BYTES) {
                // a crash right after the file was created: nothing in it had been acknowledged
                return new Contents(-1, 0, 0, size, size == 0 ? null : "header cut short");
            }
            ByteBuffer fields = ByteBuffer.wrap(header);
            fields.position(MAGIC.length);
            int version = fields.getInt();
            long generation = fields.getLong();
            if (fields.getInt() != crc(header, 0, HEADER_BYTES - 4)) {
                return new Contents(-1, 0, 0, size, "header checksum mismatch");
            }
            if (version != VERSION) {
                throw refusal(path + " was written by a Tidegate with persistence format " + version
                        + "; this one reads format " + VERSION);
            }
            long offset = HEADER_BYTES;
            long records = 0;
            while (offset < size) {
                long remaining = size - offset;
                String damage;
                if (remaining < FRAME_BYTES) {
                    damage = "record frame cut short";
                } else {
                    int length = in.readInt();
                    int checksum = in.readInt();
                    if (length < 0 || length > remaining - FRAME_BYTES) {
                        damage = "record length " + length + " runs past the end of the file";
                    } else {
                        byte[] payload = in.readNBytes(length);
                        damage = checksum != crc(payload, 0, length) ? "record checksum mismatch" : accept(payload, onRecord);
                        if (damage == null) {
                            offset += FRAME_BYTES + length;
                            records++;
                        }
                    }
                }
                if (damage != null) {
                    return new Contents(generation, records, offset, size, damage);
                }
            }
            return new Contents(generation, records, offset, size, null);
        }
    }

    private static String accept(byte[] payload, Consumer<byte[]> onRecord) {
        try {
            onRecord.accept(payload);
            return null;
        } catch (IllegalArgumentException e) {
            return "record does not decode: " + e.getMessage();
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
}
