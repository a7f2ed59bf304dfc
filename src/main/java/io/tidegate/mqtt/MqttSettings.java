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
 * @param retainedLimits what the embedded broker retains
 * @param keepAliveSeconds {@code --mqtt.keep-alive}, 1 to {@link #MAX_KEEP_ALIVE_SECONDS}: the longest Tidegate's
 *     connection stays silent; a broker that hears nothing for 1.5 times this ends it and publishes the Last Will
 * @param broker how the embedded broker admits and bounds clients; null with {@code --mqtt.url}
 */
public record MqttSettings(String url, String listenAddress, String clientId, String username, char[] password,
        SSLSocketFactory tls, MqttProtocol protocol, List<String> topicFilters, String statusTopic,
        int keepAliveSeconds, RetainedLimits retainedLimits, BrokerSettings broker) {
    /**
     * What the embedded broker retains: {@code --mqtt.embedded.retain-any-topic},
     * {@code --mqtt.embedded.max-retained-messages}, {@code --mqtt.embedded.max-retained-size}.
     */
    public record RetainedLimits(boolean anyTopic, int maxMessages, long maxBytes) {}

    /** The largest keep-alive CONNECT can carry (two bytes). */
    public static final int MAX_KEEP_ALIVE_SECONDS = 65535;

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

    /**
     * The filter of the topics under {@code prefix} where the broker keeps each replicated group's state
     * ({@link GroupStates}), which every replica with {@code --mqtt.replicate} subscribes to first, so the
     * broker sends the retained states before any write on the groups' topics.
     *
     * @throws IllegalArgumentException when the prefix cannot begin a topic filter
     */
    public static String stateFilter(String prefix) {
        return new TopicScheme(prefix).stateFilter();
    }

    public boolean embedded() {
        return url.isEmpty();
    }

    /** Never the password: these settings may end up in a log line or a test's failure message. */
    @Override
    public String toString() {
        return "MqttSettings[url=" + url + ", listenAddress=" + listenAddress + ", clientId=" + clientId + ", username="
                + username + ", protocol=" + protocol + ", topicFilters=" + topicFilters + ", statusTopic="
                + statusTopic + "]";
    }
}
