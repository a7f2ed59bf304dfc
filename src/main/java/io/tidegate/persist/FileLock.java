package io.tidegate.persist;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Keeps a second Tidegate off a persistence file that one already uses: two journals interleaved
 * in one directory would each compact away the other's writes. An operating-system lock on a file
 * beside the data, so a Tidegate that dies (even with {@code kill -9}) leaves nothing to clean up;
 * the file holds the owner's process id only to make the refusal say who.
 */
final class FileLock implements AutoCloseable {
    private final FileChannel channel;
    private final java.nio.channels.FileLock lock;

    private FileLock(FileChannel channel, java.nio.channels.FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock on {@code path}, creating the file.
     *
     * @throws IOException naming the process that holds it, when another process or another
     *     Tidegate in this process holds it
     */
    static FileLock acquire(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        java.nio.channels.FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            String holder = holder(path);
            channel.close();
            throw new IOException("it is in use by another Tidegate" + holder + " (lock held on " + path + ")");
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        return new FileLock(channel, lock);
    }

    private static String holder(Path path) {
        try {
            String pid = Files.readString(path, StandardCharsets.US_ASCII).strip();
            return pid.isEmpty() || !pid.chars().allMatch(Character::isDigit) ? "" : ", process " + pid;
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the channel is gone, and with it the lock
        }
    }
}
