package io.tidegate.mqtt;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Plain TCP sockets for Paho (tcp:// broker addresses) whose input is read from the network a block at a time. Paho
 * reads each packet's first byte and each byte of its length one at a time from the socket's own stream, and every
 * one of those reads is a system call: three or four per message, most of the processor time of a drain spent in the
 * kernel. Read ahead, a whole backlog of small messages costs one read per block. Bytes are delivered exactly as they
 * arrived; a read that times out (Paho polls with a 1 s timeout) leaves nothing behind.
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
                input = new BufferedInputStream(super.getInputStream(), BLOCK_BYTES);
            }
            return input;
        }
    }
}
