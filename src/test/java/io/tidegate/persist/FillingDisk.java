package io.tidegate.persist;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * The real file system, until {@link #fill} makes it full: then a write puts part of its bytes in the
 * file (as a write cut short by a full disk does) and the next fails with the system's "No space left
 * on device", until {@link #free}.
 */
final class FillingDisk implements JournalDisk {
    private volatile boolean full;
    private volatile boolean cutShort;

    void fill() {
        cutShort = false;
        full = true;
    }

    void free() {
        full = false;
    }

    @Override
    public FileChannel open(Path path, OpenOption... options) throws IOException {
        if (full) {
            throw noSpace();
        }
        return new Channel(FileChannel.open(path, options));
    }

    private static IOException noSpace() {
        return new IOException("No space left on device");
    }

    /** Bytes {@code wanted} of a write that may go to the file now, or an IOException for none. */
    private int room(int wanted) throws IOException {
        if (!full) {
            return wanted;
        }
        if (!cutShort && wanted > 1) {
            cutShort = true;
            return wanted / 2;
        }
        throw noSpace();
    }

    private final class Channel extends FileChannel {
        private final FileChannel file;

        Channel(FileChannel file) {
            this.file = file;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int room = room(src.remaining());
            ByteBuffer part = src.slice().limit(room);
            int written = file.write(part);
            src.position(src.position() + written);
            return written;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            long written = 0;
            for (int i = offset; i < offset + length; i++) {
                written += write(srcs[i]);
            }
            return written;
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            throw new UnsupportedOperationException("the journal appends");
        }

        @Override
        public void force(boolean metaData) throws IOException {
            if (full) {
                throw noSpace();
            }
            file.force(metaData);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return file.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return file.read(dsts, offset, length);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return file.read(dst, position);
        }

        @Override
        public long position() throws IOException {
            return file.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            file.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return file.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            file.truncate(size); // cutting a file back frees room: it works on a full disk too
            return this;
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) {
            throw new UnsupportedOperationException();
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException();
        }

        @Override
        protected void implCloseChannel() throws IOException {
            file.close();
        }
    }
}
