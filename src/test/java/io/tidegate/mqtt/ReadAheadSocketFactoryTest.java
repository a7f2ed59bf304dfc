package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReadAheadSocketFactoryTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void aPacketCutByAReadTimeoutArrivesWholeAsPahoReadsIt() throws Exception {
        byte[] packet = new byte[300];
        packet[0] = 0x30; // PUBLISH
        packet[1] = (byte) 0xA9; // remaining length 297 as a variable byte integer: 0xA9 0x02
        packet[2] = 0x02;
        for (int i = 3; i < packet.length; i++) {
            packet[i] = (byte) i;
        }
        CountDownLatch timedOut = new CountDownLatch(1);
        try (ServerSocket server = new ServerSocket(0, 1, LOOPBACK)) {
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                try (Socket peer = server.accept(); OutputStream out = peer.getOutputStream()) {
                    out.write(packet, 0, 100); // the header and part of the rest
                    out.flush();
                    assertThat(timedOut.await(10, TimeUnit.SECONDS)).isTrue();
                    out.write(packet, 100, packet.length - 100);
                    out.flush();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Socket socket = ReadAheadSocketFactory.INSTANCE.createSocket()) {
                socket.connect(new InetSocketAddress(LOOPBACK, server.getLocalPort()), 5_000);
                socket.setSoTimeout(200);
                // as Paho's MqttInputStream: the header byte by byte, then the rest, again after a timeout
                DataInputStream in = new DataInputStream(socket.getInputStream());
                ByteArrayOutputStream received = new ByteArrayOutputStream();
                received.write(in.readByte());
                received.write(in.readByte());
                received.write(in.readByte());
                byte[] rest = new byte[packet.length - 3];
                int read = 0;
                while (read < rest.length) {
                    try {
                        int n = in.read(rest, read, rest.length - read);
                        assertThat(n).isPositive();
                        read += n;
                    } catch (SocketTimeoutException e) {
                        timedOut.countDown();
                    }
                }
                received.write(rest);
                assertThat(timedOut.getCount()).as("the read timed out in between").isZero();
                assertThat(received.toByteArray()).isEqualTo(packet);
            }
            sender.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void everyCallForTheInputGetsTheSameStreamSoNoBytesReadAheadAreLost() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, LOOPBACK)) {
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                try (Socket peer = server.accept(); OutputStream out = peer.getOutputStream()) {
                    out.write("abcdef".getBytes(StandardCharsets.US_ASCII));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Socket socket = ReadAheadSocketFactory.INSTANCE.createSocket(LOOPBACK, server.getLocalPort())) {
                socket.setSoTimeout(5_000);
                assertThat(socket.getInputStream().read()).isEqualTo('a');
                InputStream again = socket.getInputStream();
                assertThat(new String(again.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("bcdef");
            }
            sender.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void packetsLargerThanABlockAndPacketsAcrossBlocksArriveWhole() throws Exception {
        byte[] sent = new byte[3 * ReadAheadSocketFactory.BLOCK_BYTES + 12_345];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = (byte) (i * 31 + i / 7);
        }
        try (ServerSocket server = new ServerSocket(0, 1, LOOPBACK)) {
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                try (Socket peer = server.accept(); OutputStream out = peer.getOutputStream()) {
                    for (int from = 0; from < sent.length; from += 1_000) { // in pieces, as a broker writes packets
                        out.write(sent, from, Math.min(1_000, sent.length - from));
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Socket socket = ReadAheadSocketFactory.INSTANCE.createSocket(LOOPBACK, server.getLocalPort())) {
                socket.setSoTimeout(5_000);
                DataInputStream in = new DataInputStream(socket.getInputStream());
                ByteArrayOutputStream received = new ByteArrayOutputStream();
                received.write(in.readByte());
                assertThat(in.available()).as("what is waiting, once a block was read").isPositive();
                byte[] small = new byte[777]; // ends inside a block
                in.readFully(small);
                received.write(small);
                byte[] large = new byte[2 * ReadAheadSocketFactory.BLOCK_BYTES + 5]; // more than a block
                in.readFully(large);
                received.write(large);
                received.write(in.readAllBytes());
                assertThat(received.toByteArray()).isEqualTo(sent);
                assertThat(in.read()).as("the end of the stream").isEqualTo(-1);
            }
            sender.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSocketConnectsByHostNameAndFromAGivenLocalAddress() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 2, LOOPBACK)) {
            try (Socket byName = ReadAheadSocketFactory.INSTANCE.createSocket(LOOPBACK.getHostAddress(),
                    server.getLocalPort());
                    Socket fromLocal = ReadAheadSocketFactory.INSTANCE.createSocket(LOOPBACK, server.getLocalPort(),
                            LOOPBACK, 0)) {
                assertThat(byName.isConnected()).isTrue();
                assertThat(fromLocal.getLocalAddress()).isEqualTo(LOOPBACK);
            }
        }
    }
}
