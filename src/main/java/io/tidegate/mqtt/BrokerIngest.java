package io.tidegate.mqtt;

import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundOutput;
import com.hivemq.extension.sdk.api.packets.general.MqttVersion;
import com.hivemq.extension.sdk.api.packets.general.UserProperty;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.PublishPacket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The embedded broker's side of the ingest: every publish a client sends the embedded broker on one of
 * Tidegate's topics (its topic scheme, or {@code --mqtt.topics}, and the mapping rules' filters) is
 * handed to the {@link MessageHandler} inside the broker, before the broker takes it, with no subscriber
 * in between. The broker answers the publisher (the QoS 1 PUBACK, the QoS 2 PUBREC) only once the
 * handler acknowledged the message, that is once its write is durable (journaled with
 * {@code --persistence.file}, applied without); a message the handler refused is answered, over MQTT 5,
 * with a reason code and Tidegate's message as reason string, and the broker neither passes it on nor
 * retains it. MQTT 3.1.1 has no reason codes: a 3.1.1 publisher gets its usual acknowledgement either way.
 *
 * <p>The broker calls this for the publishes of one client in the order they came, and each waits for
 * the one before it to be answered, so the messages of a topic keep their order. Publishes on other topics
 * pass through untouched, but a retained one is refused unless {@link RetainedBudget} allows it.
 */
final class BrokerIngest implements PublishInboundInterceptor {
    /** How long a publisher waits for its write to be durable before the broker answers it with a failure. */
    static final Duration DURABLE_WITHIN = Duration.ofSeconds(60);
    /** MQTT leaves room for 65,535 bytes; a device has no use for more than the gist. */
    static final int MAX_REASON_LENGTH = 1024;

    private final MessageHandler handler;
    private final RetainedBudget retained;
    private volatile List<TopicFilter> filters;

    /**
     * @param filters Tidegate's topics: the topic scheme's filters (or {@code --mqtt.topics}) and the
     *     mapping rules' ({@link #takeTopics} changes them on a reload)
     */
    BrokerIngest(MessageHandler handler, List<String> filters, RetainedBudget retained) {
        this.handler = handler;
        this.retained = retained;
        takeTopics(filters);
    }

    /** The topics taken from now on. */
    void takeTopics(List<String> filters) {
        this.filters = filters.stream().map(TopicFilter::parse).toList();
    }

    boolean takes(String topic) {
        return TopicFilter.anyMatches(filters, topic);
    }

    @Override
    public void onInboundPublish(PublishInboundInput input, PublishInboundOutput output) {
        PublishPacket publish = input.getPublishPacket();
        String topic = publish.getTopic();
        boolean ours = takes(topic);
        boolean retain = publish.getRetain();
        if (!ours && !retain) {
            return; // not Tidegate's, and nothing to retain: the broker passes it on untouched
        }
        boolean mqtt5 = input.getConnectionInformation().getMqttVersion() == MqttVersion.V_5;
        // HiveMQ says "none" with one more than MQTT's largest interval
        Long expiry = publish.getMessageExpiryInterval().filter(s -> s <= MqttIngest.MAX_EXPIRY_INTERVAL_SECONDS)
                .orElse(null);
        int size = publish.getPayload().map(ByteBuffer::remaining).orElse(0);
        if (retain) {
            String refusal = retained.refusal(topic, size, ours);
            if (refusal != null) {
                refuse(output, mqtt5, ours ? AckReasonCode.QUOTA_EXCEEDED : AckReasonCode.NOT_AUTHORIZED, refusal);
                return;
            }
        }
        if (!ours) {
            retained.keep(topic, size, expiry);
            return;
        }
        byte[] payload = bytes(publish.getPayload().orElse(null));
        Map<String, String> properties = new LinkedHashMap<>();
        for (UserProperty property : publish.getUserProperties().asList()) {
            properties.putIfAbsent(property.getName(), property.getValue());
        }
        // a publish reaching the broker is live news, whatever its retain flag asks the broker to keep
        MqttMessage message = new MqttMessage(topic, payload, false, publish.getQos().getQosNumber(), expiry,
                publish.getContentType().orElse(null), properties);
        Async<PublishInboundOutput> async = output.async(DURABLE_WITHIN, TimeoutFallback.FAILURE,
                AckReasonCode.UNSPECIFIED_ERROR, "Tidegate did not store the message within " + DURABLE_WITHIN.toSeconds()
                        + " s (is its persistence file's disk failing?)");
        Answer answer = new Answer(async, mqtt5, retain ? () -> retained.keep(topic, payload.length, expiry) : null);
        answer.decided(handler.onMessage(message, answer::durable));
    }

    /**
     * The broker's answer to one publish: sent once the handler has said what became of the message and
     * acknowledged it, in whichever order the two come (a journal thread may acknowledge first).
     */
    private static final class Answer {
        private final Async<PublishInboundOutput> async;
        private final boolean mqtt5;
        private final Runnable retainedKept; // null for a publish not to be retained
        private MqttOutcome outcome; // guarded by this
        private boolean durable; // guarded by this
        private boolean sent; // guarded by this

        Answer(Async<PublishInboundOutput> async, boolean mqtt5, Runnable retainedKept) {
            this.async = async;
            this.mqtt5 = mqtt5;
            this.retainedKept = retainedKept;
        }

        synchronized void decided(MqttOutcome outcome) {
            this.outcome = outcome;
            sendWhenReady();
        }

        synchronized void durable() {
            durable = true;
            sendWhenReady();
        }

        /**
         * A message refused because the journal is failing is never acknowledged as taken: an MQTT 5
         * publisher is told so at once, a 3.1.1 publisher (which cannot be told) gets the timeout's failure.
         */
        private void sendWhenReady() {
            boolean notDurable = outcome != null && outcome.kind() == MqttOutcome.Kind.REJECTED
                    && outcome.rejection() == RejectReason.NOT_DURABLE;
            if (sent || outcome == null || !durable && !(notDurable && mqtt5)) {
                return;
            }
            sent = true;
            if (outcome.keepsFromOthers()) {
                refuse(async.getOutput(), mqtt5, ackCodeOf(outcome.rejection()), outcome.message());
            } else if (retainedKept != null) {
                retainedKept.run();
            }
            async.resume();
        }
    }

    /**
     * Keeps a publish from every subscriber and from the retained store, and tells an MQTT 5 publisher why.
     * MQTT 3.1.1 cannot say why (HiveMQ would close the connection for an error code): such a publisher gets
     * its usual acknowledgement, as Mosquitto gives a 3.1.1 publish its ACL denies.
     */
    private static void refuse(PublishInboundOutput output, boolean mqtt5, AckReasonCode code, String message) {
        if (mqtt5) {
            output.preventPublishDelivery(code, reason(message));
        } else {
            output.preventPublishDelivery();
        }
    }

    /** The MQTT 5 reason code a publisher whose message was refused for {@code reason} is answered with. */
    static AckReasonCode ackCodeOf(RejectReason reason) {
        return switch (reason) {
            case BAD_TOPIC -> AckReasonCode.TOPIC_NAME_INVALID;
            case BAD_PAYLOAD, BAD_TTL, UNSUPPORTED_CONTENT_TYPE, INCONSISTENT, BAD_DISCOVERY_CONFIG ->
                    AckReasonCode.PAYLOAD_FORMAT_INVALID;
            case TOO_LARGE, LIMIT -> AckReasonCode.QUOTA_EXCEEDED;
            case INTERNAL_ERROR, NOT_DURABLE -> AckReasonCode.UNSPECIFIED_ERROR;
        };
    }

    private static String reason(String message) {
        return message.length() <= MAX_REASON_LENGTH ? message : message.substring(0, MAX_REASON_LENGTH - 3) + "...";
    }

    /** A HiveMQ payload's bytes, copied (its buffer is HiveMQ's); none for null. */
    static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return new byte[0];
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
