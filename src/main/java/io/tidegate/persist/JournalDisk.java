package io.tidegate.persist;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Where the journal opens its files: the file system, or, in a test, a disk that runs out of space. */
interface JournalDisk {
    JournalDisk REAL = FileChannel::open;

    FileChannel open(Path path, OpenOption... options) throws IOException;

    /**
     * Whether the disk takes writes again: writes {@code bytes} zero bytes to {@code path}, syncs them
     * and deletes the file, whatever became of them. An IOException says it does not.
     */
    default void probe(Path path, int bytes) throws IOException {
        try (FileChannel probe = open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocate(bytes);
            while (zeros.hasRemaining()) {
                probe.write(zeros);
            }
            probe.force(true);
        } finally {
            Files.deleteIfExists(path);
        }
    }
}
