package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.util.List;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.MqttPublish;
import org.eclipse.paho.mqttv5.common.packet.MqttWireMessage;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;

class ByteCountingInputStreamTest {
    private static byte[] payload(int size) {
        byte[] payload = new byte[size];
        for (int i = 0; i < size; i++) {
            payload[i] = (byte) (i * 31 + 7);
        }
        return payload;
    }

    @Test
    void everyByteReadIsCountedByEitherKindOfReadAndBySkipping() throws Exception {
        ByteCountingInputStream in = new org.eclipse.paho.mqttv5.common.packet.util.CountingInputStream(
                new ByteArrayInputStream(payload(100)));
        DataInputStream data = new DataInputStream(in);
        data.readByte();
        data.readUnsignedShort();
        assertThat(in.getCounter()).isEqualTo(3);
        data.readFully(new byte[40]);
        assertThat(in.getCounter()).isEqualTo(43);
        assertThat(data.skipBytes(7)).isEqualTo(7);
        assertThat(in.getCounter()).isEqualTo(50);
        in.resetCounter();
        assertThat(in.read(new byte[80], 0, 80)).isEqualTo(50);
        assertThat(in.getCounter()).isEqualTo(50);
        assertThat(in.read(new byte[10], 0, 10)).isEqualTo(-1);
        assertThat(in.read()).isEqualTo(-1);
        assertThat(in.getCounter()).isEqualTo(50);
    }

    @Test
    void pahoFiveDecodesAPublishWithPropertiesAndALargePayloadThroughTidegatesStream() throws Exception {
        assertThat(new org.eclipse.paho.mqttv5.common.packet.util.CountingInputStream(new ByteArrayInputStream(new byte[0])))
                .as("Paho's class as the tests and the jar load it").isInstanceOf(ByteCountingInputStream.class);
        MqttMessage message = new MqttMessage(payload(70_000), 1, false, null);
        MqttProperties properties = new MqttProperties();
        properties.setContentType("text/plain; version=0.0.4");
        properties.setMessageExpiryInterval(300L);
        properties.setUserProperties(List.of(new UserProperty("ttl", "5m")));
        message.setProperties(properties);
        MqttPublish sent = new MqttPublish("metrics/job/probe/instance/room-1", message, properties);
        sent.setMessageId(42);

        MqttPublish received = (MqttPublish) MqttWireMessage.createWireMessage(wire(sent.getHeader(), sent.getPayload()));

        assertThat(received.getTopicName()).isEqualTo("metrics/job/probe/instance/room-1");
        assertThat(received.getMessageId()).isEqualTo(42);
        assertThat(received.getMessage().getPayload()).isEqualTo(payload(70_000));
        assertThat(received.getProperties().getContentType()).isEqualTo("text/plain; version=0.0.4");
        assertThat(received.getProperties().getMessageExpiryInterval()).isEqualTo(300L);
        assertThat(received.getProperties().getUserProperties()).extracting(UserProperty::getValue).containsExactly("5m");
    }

    @Test
    void pahoThreeDecodesAPublishWithALargePayloadThroughTidegatesStream() throws Exception {
        assertThat(new org.eclipse.paho.client.mqttv3.internal.wire.CountingInputStream(new ByteArrayInputStream(new byte[0])))
                .isInstanceOf(ByteCountingInputStream.class);
        org.eclipse.paho.client.mqttv3.MqttMessage message = new org.eclipse.paho.client.mqttv3.MqttMessage(payload(70_000));
        message.setQos(1);
        org.eclipse.paho.client.mqttv3.internal.wire.MqttPublish sent =
                new org.eclipse.paho.client.mqttv3.internal.wire.MqttPublish("metrics/job/probe", message);
        sent.setMessageId(7);

        org.eclipse.paho.client.mqttv3.internal.wire.MqttPublish received =
                (org.eclipse.paho.client.mqttv3.internal.wire.MqttPublish)
                        org.eclipse.paho.client.mqttv3.internal.wire.MqttWireMessage.createWireMessage(
                                wire(sent.getHeader(), sent.getPayload()));

        assertThat(received.getTopicName()).isEqualTo("metrics/job/probe");
        assertThat(received.getMessageId()).isEqualTo(7);
        assertThat(received.getMessage().getPayload()).isEqualTo(payload(70_000));
    }

    private static byte[] wire(byte[] header, byte[] payload) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(header);
        bytes.writeBytes(payload);
        return bytes.toByteArray();
    }
}
