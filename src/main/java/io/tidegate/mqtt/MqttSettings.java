package io.tidegate.mqtt;

import java.util.List;
import javax.net.ssl.SSLSocketFactory;

/**
 * How Tidegate takes part in MQTT, as the command line ({@code cli.MqttFlags}) read and checked it at startup.
 *
 * @param url the broker to subscribe to; empty for the embedded broker
 * @param listenAddress where the embedded broker listens, as the flag gives it ({@code :1883})
 * @param username empty for none
 * @param password null for none
 * @param tls null for plain TCP or the JVM's default TLS
 * @param topicFilters what to subscribe to: the topic scheme's filters, or {@code --mqtt.topics}; with
 *     {@code --mqtt.replicate}, the replicated admin wipe's topic too
 */
public record MqttSettings(String url, String listenAddress, String clientId, String username, char[] password,
        SSLSocketFactory tls, MqttProtocol protocol, List<String> topicFilters, String statusTopic) {

    /**
     * The filters of Tidegate's topic scheme under {@code prefix}, subscribed to unless
     * {@code --mqtt.topics} chooses others.
     *
     * @throws IllegalArgumentException when the prefix cannot begin a topic filter
     */
    public static List<String> schemeFilters(String prefix) {
        return new TopicScheme(prefix).topicFilters();
    }

    /**
     * The topic under {@code prefix} a replicated admin wipe travels on, which every replica with
     * {@code --mqtt.replicate} subscribes to, whatever share of the groups' topics it takes: a wipe
     * concerns every group.
     *
     * @throws IllegalArgumentException when the prefix cannot begin a topic filter
     */
    public static String wipeTopic(String prefix) {
        return new TopicScheme(prefix).wipeTopic();
    }

    /** The same settings, subscribing to {@code brokerUrl}, as for the embedded broker once it listens. */
    public MqttSettings withUrl(String brokerUrl) {
        return new MqttSettings(brokerUrl, listenAddress, clientId, username, password, tls, protocol, topicFilters,
                statusTopic);
    }

    public boolean embedded() {
        return url.isEmpty();
    }
}
