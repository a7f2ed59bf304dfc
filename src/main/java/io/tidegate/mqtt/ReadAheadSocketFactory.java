package io.tidegate.mqtt;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Objects;
import javax.net.SocketFactory;

/**
 * Plain TCP sockets for Paho (tcp:// broker addresses) whose input is read from the network a block at a time. Paho
 * reads each packet's first byte and each byte of its length one at a time from the socket's own stream, and every
 * one of those reads is a system call: three or four per message, most of the processor time of a drain spent in the
 * kernel. Read ahead, a whole backlog of small messages costs one read per block. Bytes are delivered exactly as they
 * arrived; a read that times out (Paho polls with a 1 s timeout) leaves nothing behind. Unlike
 * {@link java.io.BufferedInputStream}, it never asks the kernel how much is waiting while its block holds bytes: Paho
 * asks before every packet, and a buffered stream asks again whenever a block ends inside a message; both are a system
 * call, per message once Tidegate reads as fast as the broker sends.
 */
final class ReadAheadSocketFactory extends SocketFactory {
    static final ReadAheadSocketFactory INSTANCE = new ReadAheadSocketFactory();
    /** The kernel's default receive buffer on loopback is larger; this is about 600 small device messages. */
    static final int BLOCK_BYTES = 64 * 1024;

    private ReadAheadSocketFactory() {
    }

    @Override
    public Socket createSocket() {
        return new ReadAheadSocket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(null, new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localAddress, int localPort) throws IOException {
        return connected(new InetSocketAddress(localAddress, localPort), new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port) throws IOException {
        return connected(null, new InetSocketAddress(address, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return connected(new InetSocketAddress(localAddress, localPort), new InetSocketAddress(address, port));
    }

    private static Socket connected(InetSocketAddress local, InetSocketAddress remote) throws IOException {
        Socket socket = new ReadAheadSocket();
        try {
            if (local != null) {
                socket.bind(local);
            }
            socket.connect(remote);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private static final class ReadAheadSocket extends Socket {
        private InputStream input;

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (input == null) {
                input = new ReadAheadInputStream(super.getInputStream());
            }
            return input;
        }
    }

    /** The socket's input a block at a time; read by one thread (Paho's receiving thread). */
    private static final class ReadAheadInputStream extends InputStream {
        private final InputStream network;
        private final byte[] block = new byte[BLOCK_BYTES];
        private int position;
        private int limit;

        ReadAheadInputStream(InputStream network) {
            this.network = network;
        }

        /** Reads a block when none is left; false at the end of the stream. A timeout throws and changes nothing. */
        private boolean fill() throws IOException {
            if (position < limit) {
                return true;
            }
            int n = network.read(block, 0, block.length);
            if (n <= 0) {
                return false;
            }
            position = 0;
            limit = n;
            return true;
        }

        @Override
        public int read() throws IOException {
            return fill() ? block[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, bytes.length);
            if (length == 0) {
                return 0;
            }
            if (position == limit && length >= block.length) {
                return network.read(bytes, offset, length); // nothing to gain from copying through the block
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(length, limit - position);
            System.arraycopy(block, position, bytes, offset, n);
            position += n;
            return n;
        }

        /**
         * What the block still holds, or else what the kernel says is waiting. Paho's receiving thread asks before every
         * packet (whether it is receiving, for its keep-alive), and the block answers without a system call.
         */
        @Override
        public int available() throws IOException {
            return position < limit ? limit - position : network.available();
        }

        @Override
        public void close() throws IOException {
            network.close();
        }
    }
}
