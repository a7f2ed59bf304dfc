package io.tidegate.mqtt;

import java.io.IOException;
import java.io.InputStream;

/**
 * The stream Paho decodes every packet through, counting the bytes read, with reads of many bytes at once. Paho's
 * own {@code CountingInputStream} (one in each client generation) overrides only the one-byte read, so Java's
 * default for a read of many bytes loops over it: a message's payload was copied one byte at a time, through the
 * synchronised {@code ByteArrayInputStream.read()}, twice per message (the packet, then its payload), 88 % of Paho's
 * receiving thread in a drain of Prometheus-text payloads of about 580 bytes. Tidegate's jar holds both generations'
 * {@code CountingInputStream} as subclasses of this one (the build leaves Paho's own out); they count exactly as
 * Paho's did: every byte read, by either kind of read or by a skip.
 */
public class ByteCountingInputStream extends InputStream {
    private final InputStream in;
    private int counter;

    protected ByteCountingInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b != -1) {
            counter++;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            counter += n;
        }
        return n;
    }

    /** The bytes read since this stream was made or last reset. */
    public int getCounter() {
        return counter;
    }

    public void resetCounter() {
        counter = 0;
    }
}
