package io.tidegate.mqtt;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * MQTT 5 packets written byte by byte, for what no client library sends: a PUBLISH larger than the
 * broker's maximum packet size (a library that heard the limit in CONNACK refuses to send it).
 */
final class RawMqtt {
    private RawMqtt() {}

    /** CONNECT, MQTT 5, clean start, keep-alive 60 s, with user name and password. */
    static byte[] connect5(String clientId, String user, String password) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeString(body, "MQTT");
        body.write(5); // protocol level
        body.write(0x80 | 0x40 | 0x02); // user name, password, clean start
        body.write(0);
        body.write(60);
        body.write(0); // no properties
        writeString(body, clientId);
        writeString(body, user);
        writeString(body, password);
        return packet(0x10, body.toByteArray());
    }

    /**
     * Writes a QoS 0 PUBLISH of {@code payloadBytes} zeros on {@code topic}, its header first, then the
     * payload in 64 KiB pieces until the broker closes the connection.
     *
     * @return how many bytes were written before a write failed (all of them when none did)
     */
    static long publishUntilRefused(OutputStream out, String topic, int payloadBytes) {
        byte[] topicBytes = topic.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        head.write(0x30);
        writeVariableLength(head, 2 + topicBytes.length + 1 + payloadBytes);
        writeString(head, topic);
        head.write(0); // no properties
        long written = 0;
        try {
            out.write(head.toByteArray());
            written += head.size();
            byte[] piece = new byte[64 * 1024];
            for (long left = payloadBytes; left > 0; left -= piece.length) {
                int length = (int) Math.min(piece.length, left);
                out.write(piece, 0, length);
                written += length;
            }
            out.flush();
        } catch (IOException e) {
            // the broker closed the connection
        }
        return written;
    }

    /** One whole packet: its first byte, remaining length and body. */
    static byte[] readPacket(InputStream in) throws IOException {
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(readByte(in));
        int length = 0;
        int shift = 0;
        int digit;
        do {
            digit = readByte(in);
            packet.write(digit);
            length |= (digit & 0x7f) << shift;
            shift += 7;
        } while ((digit & 0x80) != 0);
        packet.write(in.readNBytes(length));
        return packet.toByteArray();
    }

    private static int readByte(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("the broker closed the connection");
        }
        return b;
    }

    private static byte[] packet(int firstByte, byte[] body) {
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(firstByte);
        writeVariableLength(packet, body.length);
        packet.writeBytes(body);
        return packet.toByteArray();
    }

    private static void writeString(ByteArrayOutputStream out, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.write(bytes.length >> 8);
        out.write(bytes.length & 0xff);
        out.writeBytes(bytes);
    }

    private static void writeVariableLength(ByteArrayOutputStream out, int length) {
        do {
            int digit = length % 128;
            length /= 128;
            out.write(length > 0 ? digit | 0x80 : digit);
        } while (length > 0);
    }
}
