"""umqtt.simple's client (the MQTT 3.1.1 client MicroPython's firmware ships) on a CPython socket, for
running device code under CPython in tests. It behaves as umqtt.simple does wherever device code can
tell: every call blocks, no keep-alive pings are sent unless the device calls ping(), a broker that
refuses the connection is an MQTTException with the CONNACK return code, and a failed or closed
connection is an OSError. Only what a publishing device uses is here: no subscriptions, no TLS, no QoS 2.
"""
import socket
import struct


class MQTTException(Exception):
    pass


def _bytes(value):
    # MicroPython's sockets take str and bytes alike, so device code passes either.
    return value.encode() if isinstance(value, str) else bytes(value)


def _string(value):
    value = _bytes(value)
    return struct.pack("!H", len(value)) + value


def _remaining_length(length):
    encoded = bytearray()
    while True:
        byte, length = length & 0x7F, length >> 7
        encoded.append(byte | (0x80 if length else 0))
        if not length:
            return bytes(encoded)


class MQTTClient:
    def __init__(self, client_id, server, port=0, user=None, password=None, keepalive=0, ssl=None,
                 ssl_params=None):
        if ssl:
            raise NotImplementedError("TLS is not part of this test shim")
        self.client_id = client_id
        self.server = server
        self.port = port or 1883
        self.user = user
        self.pswd = password
        self.keepalive = keepalive
        self.sock = None
        self.pid = 0
        self.lw_topic = None
        self.lw_msg = None
        self.lw_qos = 0
        self.lw_retain = False

    def set_last_will(self, topic, msg, retain=False, qos=0):
        assert 0 <= qos <= 2
        assert topic
        self.lw_topic = topic
        self.lw_msg = msg
        self.lw_qos = qos
        self.lw_retain = retain

    def connect(self, clean_session=True):
        self.sock = socket.create_connection((self.server, self.port))
        flags = clean_session << 1
        payload = _string(self.client_id)
        if self.lw_topic:
            flags |= 0x04 | self.lw_qos << 3 | self.lw_retain << 5
            payload += _string(self.lw_topic) + _string(self.lw_msg)
        if self.user:
            flags |= 0xC0
            payload += _string(self.user) + _string(self.pswd)
        self._send(0x10, _string(b"MQTT") + bytes([4, flags]) + struct.pack("!H", self.keepalive) + payload)
        answer = self._read(4)
        if answer[0] != 0x20 or answer[1] != 2:
            raise OSError("expected a CONNACK, got %r" % answer)
        if answer[3] != 0:
            raise MQTTException(answer[3])
        return answer[2] & 1

    def disconnect(self):
        self._send(0xE0, b"")
        self.sock.close()

    def ping(self):
        self._send(0xC0, b"")

    def publish(self, topic, msg, retain=False, qos=0):
        if qos == 2:
            raise NotImplementedError("QoS 2 is not part of this test shim")
        body = _string(topic)
        if qos:
            self.pid = self.pid % 0xFFFF + 1
            body += struct.pack("!H", self.pid)
        self._send(0x30 | qos << 1 | bool(retain), body + _bytes(msg))
        while qos:
            kind, packet = self._read_packet()
            if kind == 0x40 and struct.unpack("!H", packet[:2])[0] == self.pid:
                return

    def _send(self, first_byte, body):
        self.sock.sendall(bytes([first_byte]) + _remaining_length(len(body)) + body)

    def _read_packet(self):
        kind = self._read(1)[0] & 0xF0
        length, shift = 0, 0
        while True:
            byte = self._read(1)[0]
            length |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return kind, self._read(length)

    def _read(self, count):
        data = b""
        while len(data) < count:
            chunk = self.sock.recv(count - len(data))
            if not chunk:
                raise OSError(-1)  # what umqtt.simple raises when the broker closed the connection
            data += chunk
        return data
