package io.tidegate.cli;

import io.tidegate.mqtt.discovery.DiscoveryMode;
import io.tidegate.mqtt.discovery.HomeAssistantDiscovery;

import io.tidegate.config.ConfigException;
import io.tidegate.format.HostPort;
import io.tidegate.mqtt.BrokerSettings;
import io.tidegate.mqtt.MqttProtocol;
import io.tidegate.mqtt.MqttSettings;
import io.tidegate.mqtt.TopicFilter;
import io.tidegate.mqtt.access.AccessFileException;
import io.tidegate.mqtt.access.BrokerAccess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLSocketFactory;

/** The {@code --mqtt.*} flags read into {@link MqttSettings}, checked once at startup; every error names its flag or file. */
public final class MqttFlags {
    private MqttFlags() {}

    /**
     * The settings the flags ask for, or none when MQTT is off ({@code --no-mqtt.embedded} and no
     * {@code --mqtt.url}). A file that cannot be read or a value that makes no sense is a
     * ConfigException naming the flag or file.
     */
    public static Optional<MqttSettings> settings(Flags flags) throws ConfigException {
        if (flags.mqttUrl.isEmpty() && !flags.mqttEmbedded) {
            if (flags.mqttReplicate) {
                throw new ConfigException("--mqtt.replicate needs MQTT: give --mqtt.url, or leave the embedded broker on");
            }
            requireNoBrokerFlags(flags, "--no-mqtt.embedded turns the embedded broker off");
            return Optional.empty();
        }
        if (!flags.mqttUrl.isEmpty()) {
            requireNoBrokerFlags(flags, "with --mqtt.url Tidegate runs no broker (set up users and ACL on "
                    + flags.mqttUrl + ")");
        }
        if (flags.mqttReplicate && flags.mqttProtocol == MqttProtocol.MQTT_3_1_1) {
            throw new ConfigException("--mqtt.replicate needs MQTT 5 (a replicated write carries its TTL, verb and "
                    + "origin as MQTT 5 properties), but --mqtt.protocol=3.1.1");
        }
        String prefix = flags.mqttTopicPrefix;
        requireTopic("--mqtt.topic-prefix", prefix);
        List<String> topicFilters;
        try {
            topicFilters = MqttSettings.schemeFilters(prefix);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--mqtt.topic-prefix: " + e.getMessage());
        }
        if (!flags.mqttTopics.isEmpty()) {
            topicFilters = chosenFilters(flags.mqttTopics, prefix);
        }
        if (flags.mqttReplicate) {
            // the states first: the broker sends their retained copies before any write on the groups' topics
            List<String> replicated = new ArrayList<>(List.of(MqttSettings.stateFilter(prefix)));
            topicFilters.stream().filter(filter -> !replicated.contains(filter)).forEach(replicated::add);
            String wipeTopic = MqttSettings.wipeTopic(prefix);
            if (!replicated.contains(wipeTopic)) {
                replicated.add(wipeTopic);
            }
            topicFilters = List.copyOf(replicated);
        }
        String statusTopic = flags.mqttStatusTopic.isEmpty() ? prefix + "/tidegate/status" : flags.mqttStatusTopic;
        requireTopic("--mqtt.status-topic", statusTopic);
        try {
            HostPort.parse(flags.mqttListenAddress);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--mqtt.listen-address: " + e.getMessage());
        }
        boolean ssl = !flags.mqttUrl.isEmpty() && checkedScheme(flags.mqttUrl).equals("ssl");
        if (!ssl && !(flags.mqttCaFile + flags.mqttCertFile + flags.mqttKeyFile).isEmpty()) {
            throw new ConfigException("--mqtt.ca-file, --mqtt.cert-file and --mqtt.key-file need an ssl:// --mqtt.url");
        }
        SSLSocketFactory tls = ssl ? PemTls.socketFactory(flags.mqttCaFile, flags.mqttCertFile, flags.mqttKeyFile) : null;
        char[] password = flags.mqttPasswordFile.isEmpty() ? null : readPassword(Path.of(flags.mqttPasswordFile));
        String clientId = flags.mqttClientId.isEmpty() ? defaultClientId() : flags.mqttClientId;
        int keepAliveSeconds = keepAliveSeconds(flags.mqttKeepAlive);
        if (flags.mqttEmbeddedMaxRetainedMessages < 0) {
            throw new ConfigException("--mqtt.embedded.max-retained-messages must not be negative: "
                    + flags.mqttEmbeddedMaxRetainedMessages);
        }
        MqttSettings.RetainedLimits retainedLimits = new MqttSettings.RetainedLimits(flags.mqttEmbeddedRetainAnyTopic,
                flags.mqttEmbeddedMaxRetainedMessages, flags.mqttEmbeddedMaxRetainedSize);
        BrokerSettings broker = flags.mqttUrl.isEmpty() ? brokerSettings(flags) : null;
        return Optional.of(new MqttSettings(flags.mqttUrl, flags.mqttListenAddress, clientId, flags.mqttUsername, password, tls,
                flags.mqttProtocol, topicFilters, statusTopic, keepAliveSeconds, retainedLimits, broker));
    }

    /**
     * Home Assistant discovery as {@code --mqtt.discovery} and {@code --mqtt.discovery.prefix} ask for it, or none
     * ({@code off}, the default). It needs MQTT, and a prefix apart from Tidegate's own topics.
     */
    public static Optional<HomeAssistantDiscovery> discovery(Flags flags) throws ConfigException {
        if (flags.mqttDiscovery == DiscoveryMode.OFF) {
            return Optional.empty();
        }
        if (flags.mqttUrl.isEmpty() && !flags.mqttEmbedded) {
            throw new ConfigException("--mqtt.discovery=" + flags.mqttDiscovery + " needs MQTT: give --mqtt.url, or "
                    + "leave the embedded broker on");
        }
        String prefix = flags.mqttDiscoveryPrefix;
        requireTopic("--mqtt.discovery.prefix", prefix);
        String own = flags.mqttTopicPrefix;
        if (prefix.equals(own) || prefix.startsWith(own + "/") || own.startsWith(prefix + "/")) {
            throw new ConfigException("--mqtt.discovery.prefix \"" + prefix + "\" overlaps --mqtt.topic-prefix \""
                    + own + "\": discovery configs and Tidegate's own topics must be apart");
        }
        return Optional.of(new HomeAssistantDiscovery(prefix));
    }

    /**
     * The {@code --mqtt.embedded.*} flags, with the password file and ACL read: a file that cannot be
     * used stops the start, with the flag, the file and the line.
     */
    private static BrokerSettings brokerSettings(Flags flags) throws ConfigException {
        if (flags.mqttEmbeddedMaxConnections < 1) {
            throw new ConfigException("invalid --mqtt.embedded.max-connections " + flags.mqttEmbeddedMaxConnections
                    + ": at least 1");
        }
        Path passwordFile = flags.mqttEmbeddedPasswordFile.isEmpty() ? null : Path.of(flags.mqttEmbeddedPasswordFile);
        Path aclFile = flags.mqttEmbeddedAclFile.isEmpty() ? null : Path.of(flags.mqttEmbeddedAclFile);
        BrokerAccess access;
        try {
            access = BrokerAccess.load(passwordFile, aclFile, flags.mqttEmbeddedAllowAnonymous);
        } catch (AccessFileException e) {
            String flag = e.file().equals(passwordFile) ? "--mqtt.embedded.password-file" : "--mqtt.embedded.acl-file";
            throw new ConfigException("invalid " + flag + ": " + e.getMessage());
        }
        return BrokerSettings.of(access, flags.mqttMaxPayloadSize, flags.mqttEmbeddedMaxConnections);
    }

    /** The flags that set up the embedded broker's access mean nothing without it: an error rather than ignored. */
    private static void requireNoBrokerFlags(Flags flags, String why) throws ConfigException {
        for (String[] flag : new String[][] {
                {"--mqtt.embedded.password-file", flags.mqttEmbeddedPasswordFile},
                {"--mqtt.embedded.acl-file", flags.mqttEmbeddedAclFile},
                {"--mqtt.embedded.allow-anonymous", flags.mqttEmbeddedAllowAnonymous ? "true" : ""}}) {
            if (!flag[1].isEmpty()) {
                throw new ConfigException(flag[0] + " is for the embedded broker, but " + why);
            }
        }
    }

    /** {@code --mqtt.topics}: each a valid filter under the prefix, since the ingest takes nothing else. */
    private static List<String> chosenFilters(List<String> filters, String prefix) throws ConfigException {
        String levels = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        List<String> chosen = new ArrayList<>();
        for (String filter : filters) {
            String trimmed = filter.trim();
            try {
                if (!TopicFilter.parse(trimmed).liesUnder(levels)) {
                    throw new ConfigException("invalid --mqtt.topics filter \"" + trimmed + "\": it must lie under "
                            + "--mqtt.topic-prefix \"" + levels + "\" (start with " + levels + "/)");
                }
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--mqtt.topics: " + e.getMessage());
            }
            if (!chosen.contains(trimmed)) {
                chosen.add(trimmed);
            }
        }
        return List.copyOf(chosen);
    }

    private static String checkedScheme(String url) throws ConfigException {
        try {
            URI uri = new URI(url);
            if (("tcp".equals(uri.getScheme()) || "ssl".equals(uri.getScheme())) && uri.getHost() != null
                    && uri.getPort() > 0) {
                return uri.getScheme();
            }
        } catch (URISyntaxException e) {
            // reported below, with the expected form
        }
        throw new ConfigException("invalid --mqtt.url \"" + url + "\": expected tcp://host:port or ssl://host:port");
    }

    /**
     * {@code --mqtt.keep-alive} in the whole seconds CONNECT carries, in a two-byte field: 0 would turn the
     * keep-alive off (a dead connection then goes unnoticed), and more than 65535 s cannot be said.
     */
    private static int keepAliveSeconds(Duration keepAlive) throws ConfigException {
        if (keepAlive.isNegative() || keepAlive.isZero() || keepAlive.getNano() != 0
                || keepAlive.getSeconds() > MqttSettings.MAX_KEEP_ALIVE_SECONDS) {
            throw new ConfigException("invalid --mqtt.keep-alive \"" + DurationConverter.format(keepAlive)
                    + "\": whole seconds, at least 1s and at most " + MqttSettings.MAX_KEEP_ALIVE_SECONDS
                    + "s (MQTT's limit)");
        }
        return (int) keepAlive.getSeconds();
    }

    private static void requireTopic(String flag, String topic) throws ConfigException {
        if (topic.isEmpty() || topic.contains("+") || topic.contains("#") || topic.indexOf('\0') >= 0) {
            throw new ConfigException("invalid " + flag + " \"" + topic + "\": a topic name, without + or #");
        }
    }

    private static char[] readPassword(Path file) throws ConfigException {
        String text = new String(read("--mqtt.password-file", file), StandardCharsets.UTF_8);
        return text.endsWith("\r\n") ? text.substring(0, text.length() - 2).toCharArray()
                : text.endsWith("\n") ? text.substring(0, text.length() - 1).toCharArray() : text.toCharArray();
    }

    /** The bytes of the file a flag names; one that cannot be read is a ConfigException naming flag, file and cause. */
    static byte[] read(String flag, Path file) throws ConfigException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("cannot read " + flag + " " + file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new ConfigException("cannot read " + flag + " " + file + ": permission denied");
        } catch (IOException e) {
            throw new ConfigException("cannot read " + flag + " " + file + ": " + e.getMessage());
        }
    }

    /** {@code tidegate-<hostname>}: the same on every restart, so the broker keeps Tidegate's session. */
    private static String defaultClientId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = System.getenv().getOrDefault("HOSTNAME", "localhost");
        }
        return "tidegate-" + host.replaceAll("[^A-Za-z0-9-]", "-");
    }

}
