package io.tidegate.cli;

import io.tidegate.format.NameValidation;
import io.tidegate.telemetry.Version;
import io.tidegate.mqtt.MqttProtocol;
import io.tidegate.mqtt.RetainedMode;
import io.tidegate.mqtt.discovery.DiscoveryMode;
import io.tidegate.store.WriteLimits;
import io.tidegate.web.WebSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Tidegate's command line. Every flag the upstream Pushgateway has keeps its name and default, so
 * an upstream unit file runs Tidegate unchanged; Tidegate's own flags follow the same style.
 */
@Command(
        name = "tidegate",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = "A Prometheus push gateway whose metrics expire, fed over HTTP and MQTT.")
public final class Flags {
    @Spec
    CommandSpec spec;

    @Option(names = "--web.listen-address", defaultValue = ":9091", paramLabel = "<address>",
            description = "Address to listen on for the web interface, API and telemetry; repeatable, to listen on "
                    + "several (default: ${DEFAULT-VALUE}). An upstream vsock:// address is passed over with a warning.")
    public List<String> listenAddresses;

    @Option(names = "--web.systemd-socket", negatable = true, defaultValue = "false", fallbackValue = "true",
            description = "Upstream's systemd socket activation, which Tidegate does not support: accepted with a "
                    + "warning, and Tidegate listens on --web.listen-address instead.")
    public boolean systemdSocket;

    @Option(names = "--web.telemetry-path", defaultValue = "/metrics", paramLabel = "<path>",
            description = "Path under which to expose metrics (default: ${DEFAULT-VALUE}).")
    public String telemetryPath;

    @Option(names = "--web.external-url", defaultValue = "", paramLabel = "<url>",
            description = "The URL under which Tidegate is externally reachable.")
    public String externalUrl;

    @Option(names = "--web.route-prefix", defaultValue = "", paramLabel = "<path>",
            description = "Prefix for the internal routes of web endpoints. Defaults to the path of --web.external-url.")
    public String routePrefix;

    @Option(names = "--web.enable-lifecycle", negatable = true, defaultValue = "false", fallbackValue = "true",
            description = "Enable shutdown via HTTP request (PUT or POST /-/quit).")
    public boolean enableLifecycle;

    @Option(names = "--web.enable-admin-api", negatable = true, defaultValue = "false", fallbackValue = "true",
            description = "Enable API endpoints for admin control actions (PUT /api/v1/admin/wipe).")
    public boolean enableAdminApi;

    @Option(names = "--web.config.file", defaultValue = "", paramLabel = "<file>",
            description = "[EXPERIMENTAL] Path to configuration file that can enable TLS or authentication, in the "
                    + "Prometheus exporter-toolkit format; read at startup.")
    public String webConfigFile;

    @Option(names = "--web.local-assets", defaultValue = "", paramLabel = "<dir>",
            description = "Debian's package adds this flag for the page's files; accepted with a warning, since "
                    + "Tidegate serves its page from its jar.")
    public String localAssets;

    @Option(names = "--persistence.file", defaultValue = "", paramLabel = "<file>",
            description = "File to persist metrics. If empty, metrics are only kept in memory.")
    public String persistenceFile;

    @Option(names = "--persistence.interval", defaultValue = "5m", paramLabel = "<duration>",
            converter = DurationConverter.GoToo.class,
            description = "How often the journal is compacted into a snapshot of --persistence.file (default: ${DEFAULT-VALUE}).")
    public Duration persistenceInterval;

    @Option(names = "--push.disable-consistency-check", negatable = true, defaultValue = "false",
            fallbackValue = "true",
            description = "Do not check pushes against stored metrics for duplicate series. "
                    + "Type conflicts and invalid names are still refused. Pushes are answered 202.")
    public boolean disableConsistencyCheck;

    @Option(names = "--push.enable-utf8-names", negatable = true, defaultValue = "false", fallbackValue = "true",
            description = "Allow UTF-8 characters in metric and label names (quoted names in text bodies, "
                    + "U__-encoded label names in push paths and MQTT topics); scrapes get them escaped as they ask.")
    public boolean enableUtf8Names;

    @Option(names = "--push.max-body-size", defaultValue = "32MiB", paramLabel = "<bytes>",
            converter = ByteSizeConverter.class,
            description = "Largest push body accepted, before and after decompression; larger ones get 413 "
                    + "(default: ${DEFAULT-VALUE}).")
    public long maxBodySize;

    @Option(names = "--push.max-series", defaultValue = "10000", paramLabel = "<count>",
            description = "Most series one push may carry, over all its families; more is refused with 413 "
                    + "(default: ${DEFAULT-VALUE}).")
    public int maxSeries;

    @Option(names = "--push.max-labels-per-series", defaultValue = "64", paramLabel = "<count>",
            description = "Most labels one series may have, grouping-key labels included; more is refused with 400 "
                    + "(default: ${DEFAULT-VALUE}).")
    public int maxLabelsPerSeries;

    @Option(names = "--push.max-label-name-length", defaultValue = "1024", paramLabel = "<chars>",
            description = "Longest label name, in characters; a longer one is refused with 400 (default: ${DEFAULT-VALUE}).")
    public int maxLabelNameLength;

    @Option(names = "--push.max-label-value-length", defaultValue = "16384", paramLabel = "<chars>",
            description = "Longest label value, in characters, grouping-key values included; a longer one is refused "
                    + "with 400 (default: ${DEFAULT-VALUE}).")
    public int maxLabelValueLength;

    @Option(names = "--store.max-groups", defaultValue = "1000000", paramLabel = "<count>",
            description = "Most groups held; a push that would add one more is refused with 429 until groups expire "
                    + "or are deleted, pushes to existing groups go on (default: ${DEFAULT-VALUE}).")
    public int maxGroups;

    @Option(names = "--store.max-series", defaultValue = StoredSeriesLimitConverter.AUTO, paramLabel = "<count>",
            converter = StoredSeriesLimitConverter.class,
            description = "Most series held over all groups, push time gauges included; a push that would add more "
                    + "is refused with 429 until groups expire or are deleted, pushes that add none go on. 0 for no "
                    + "limit; auto for as many as fit half the heap at "
                    + WriteLimits.BYTES_PER_STORED_SERIES + " bytes each (default: auto).")
    public long maxStoredSeries;

    @Option(names = "--store.max-bytes", defaultValue = StoredBytesLimitConverter.AUTO, paramLabel = "<bytes>",
            converter = StoredBytesLimitConverter.class,
            description = "Most heap the groups held may take, as estimated from their series, labels and the "
                    + "renderings kept for scrapes; a push that would add more is refused with 429 until groups "
                    + "expire or are deleted, pushes that add nothing go on. 0 for no limit; auto for half the "
                    + "heap (default: auto).")
    public long maxStoredBytes;

    @Option(names = "--config.file", defaultValue = "", paramLabel = "<file>",
            description = "Configuration file (YAML) with TTL rules; reloaded on SIGHUP and on PUT or POST /-/reload "
                    + "(with --web.enable-lifecycle). A broken file keeps the previous configuration.")
    public String configFile;

    @Option(names = "--ttl.default", defaultValue = "0s", paramLabel = "<duration>", converter = DurationConverter.class,
            description = "TTL of pushes that name none and match no rule; 0 for never (default: ${DEFAULT-VALUE}).")
    public Duration ttlDefault;

    @Option(names = "--ttl.max", defaultValue = "0s", paramLabel = "<duration>", converter = DurationConverter.class,
            description = "Cap on every TTL, \"never\" included; a capped push succeeds and its answer's Push-TTL "
                    + "header says what was applied. 0 for no cap (default: ${DEFAULT-VALUE}).")
    public Duration ttlMax;

    @Option(names = "--ttl.tombstone", defaultValue = "0s", paramLabel = "<duration>", converter = DurationConverter.class,
            description = "How long an expired group leaves push_expired_time_seconds behind; 0 for not at all "
                    + "(default: ${DEFAULT-VALUE}).")
    public Duration ttlTombstone;

    @Option(names = "--mqtt.url", defaultValue = "", paramLabel = "<url>",
            description = "MQTT broker to subscribe to: tcp://host:port or ssl://host:port. Without it Tidegate "
                    + "runs its own broker (see --mqtt.embedded).")
    public String mqttUrl;

    @Option(names = "--mqtt.username", defaultValue = "", paramLabel = "<name>",
            description = "User name to connect to the MQTT broker with; none if empty.")
    public String mqttUsername;

    @Option(names = "--mqtt.password-file", defaultValue = "", paramLabel = "<file>",
            description = "File holding the MQTT password (a trailing newline is not part of it).")
    public String mqttPasswordFile;

    @Option(names = "--mqtt.ca-file", defaultValue = "", paramLabel = "<file>",
            description = "PEM file of the CA certificates to trust for an ssl:// broker, instead of the system's.")
    public String mqttCaFile;

    @Option(names = "--mqtt.cert-file", defaultValue = "", paramLabel = "<file>",
            description = "PEM file of the client certificate (chain) to present to an ssl:// broker; "
                    + "needs --mqtt.key-file.")
    public String mqttCertFile;

    @Option(names = "--mqtt.key-file", defaultValue = "", paramLabel = "<file>",
            description = "PEM file of the client certificate's private key: unencrypted PKCS#8 "
                    + "(BEGIN PRIVATE KEY), RSA or EC.")
    public String mqttKeyFile;

    @Option(names = "--mqtt.client-id", defaultValue = "", paramLabel = "<id>",
            description = "MQTT client id; the broker keeps Tidegate's session and unacknowledged messages under "
                    + "it across restarts, so it must be unique per Tidegate (default: tidegate-<hostname>).")
    public String mqttClientId;

    @Option(names = "--mqtt.protocol", defaultValue = "auto", paramLabel = "<version>",
            converter = MqttProtocolConverter.class,
            description = "MQTT protocol version: auto (MQTT 5, or 3.1.1 when the broker refuses 5), 5 or 3.1.1 "
                    + "(default: ${DEFAULT-VALUE}).")
    public MqttProtocol mqttProtocol;

    @Option(names = "--mqtt.topic-prefix", defaultValue = "metrics", paramLabel = "<prefix>",
            description = "Topics <prefix>/job/<job>{/<label>/<value>} carry metric groups (default: ${DEFAULT-VALUE}).")
    public String mqttTopicPrefix;

    @Option(names = "--mqtt.retained", defaultValue = "apply", paramLabel = "<policy>",
            converter = RetainedModeConverter.class,
            description = "What to do with a retained message from a group Tidegate has not seen before: apply it "
                    + "(marked retained until a live one comes) or ignore-unseen (default: ${DEFAULT-VALUE}).")
    public RetainedMode mqttRetained;

    @Option(names = "--mqtt.discovery", defaultValue = "off", paramLabel = "<kind>",
            converter = DiscoveryModeConverter.class,
            description = "homeassistant: subscribe to Home Assistant MQTT discovery configs and map every announced "
                    + "sensor and binary sensor to a series, without rules; off: none (default: ${DEFAULT-VALUE}).")
    public DiscoveryMode mqttDiscovery;

    @Option(names = "--mqtt.discovery.prefix", defaultValue = "homeassistant", paramLabel = "<prefix>",
            description = "The topic prefix of the discovery configs, as Home Assistant's discovery_prefix "
                    + "(default: ${DEFAULT-VALUE}).")
    public String mqttDiscoveryPrefix;

    @Option(names = "--mqtt.max-payload-size", defaultValue = "1MiB", paramLabel = "<bytes>",
            converter = ByteSizeConverter.class,
            description = "Largest MQTT payload accepted; larger ones are rejected. The embedded broker refuses a "
                    + "packet of more than this and 128KiB (for topic and properties) before reading it, and "
                    + "disconnects its client (default: ${DEFAULT-VALUE}).")
    public long mqttMaxPayloadSize;

    @Option(names = "--mqtt.status-topic", defaultValue = "", paramLabel = "<topic>",
            description = "Topic on which Tidegate publishes its availability, online or offline, retained "
                    + "(default: <prefix>/tidegate/status).")
    public String mqttStatusTopic;

    @Option(names = "--mqtt.keep-alive", defaultValue = "30s", paramLabel = "<duration>",
            converter = DurationConverter.class,
            description = "MQTT keep-alive: the longest Tidegate stays silent towards the broker (it pings when idle); a "
                    + "broker that hears nothing for 1.5 times this drops the connection and publishes Tidegate's Last "
                    + "Will. Whole seconds, at most 65535s (default: ${DEFAULT-VALUE}).")
    public Duration mqttKeepAlive;

    @Option(names = "--mqtt.embedded", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Without --mqtt.url, run an MQTT 5 broker inside Tidegate, which takes the messages on "
                    + "Tidegate's topics itself (default: ${DEFAULT-VALUE}). --no-mqtt.embedded without --mqtt.url "
                    + "turns MQTT off.")
    public boolean mqttEmbedded;

    @Option(names = "--mqtt.embedded.retain-any-topic", defaultValue = "false",
            description = "Let the embedded broker retain messages on any topic, not only on Tidegate's own "
                    + "(default: ${DEFAULT-VALUE}).")
    public boolean mqttEmbeddedRetainAnyTopic;

    @Option(names = "--mqtt.embedded.max-retained-messages", defaultValue = "100000", paramLabel = "<count>",
            description = "Most retained messages the embedded broker keeps; a retained publish beyond is refused "
                    + "(default: ${DEFAULT-VALUE}).")
    public int mqttEmbeddedMaxRetainedMessages;

    @Option(names = "--mqtt.embedded.max-retained-size", defaultValue = "64MiB", paramLabel = "<bytes>",
            converter = ByteSizeConverter.class,
            description = "Most bytes of retained payloads the embedded broker keeps; a retained publish beyond is "
                    + "refused (default: ${DEFAULT-VALUE}).")
    public long mqttEmbeddedMaxRetainedSize;

    @Option(names = "--mqtt.listen-address", defaultValue = ":1883", paramLabel = "<address>",
            description = "Address the embedded MQTT broker listens on (default: ${DEFAULT-VALUE}).")
    public String mqttListenAddress;

    @Option(names = "--mqtt.embedded.password-file", defaultValue = "", paramLabel = "<file>",
            description = "Users the embedded broker lets in, in the file mosquitto_passwd writes; a client that gives "
                    + "a user name must be in it with the right password, anonymous clients are refused (see "
                    + "--mqtt.embedded.allow-anonymous). Reloaded on SIGHUP and /-/reload. Without it only anonymous "
                    + "clients on loopback addresses may connect.")
    public String mqttEmbeddedPasswordFile;

    @Option(names = "--mqtt.embedded.acl-file", defaultValue = "", paramLabel = "<file>",
            description = "What each client of the embedded broker may publish and subscribe to, in Mosquitto's ACL "
                    + "syntax (user, topic, pattern with %%u and %%c); what it does not grant is refused. Reloaded on "
                    + "SIGHUP and /-/reload. Without it every client let in may publish and subscribe to anything.")
    public String mqttEmbeddedAclFile;

    @Option(names = "--mqtt.embedded.allow-anonymous", negatable = true, defaultValue = "false", fallbackValue = "true",
            description = "Let anonymous clients connect to the embedded broker from any address, not only from "
                    + "loopback (without a password file) or not at all (with one) (default: ${DEFAULT-VALUE}).")
    public boolean mqttEmbeddedAllowAnonymous;

    @Option(names = "--mqtt.embedded.max-connections", defaultValue = "10000", paramLabel = "<count>",
            description = "Most client connections the embedded broker holds at once; one "
                    + "more is refused (default: ${DEFAULT-VALUE}).")
    public int mqttEmbeddedMaxConnections;

    @Option(names = "--mqtt.topics", split = ",", paramLabel = "<filter>",
            description = "MQTT topic filters to subscribe to instead of the whole topic scheme, repeatable or "
                    + "comma-separated, each under --mqtt.topic-prefix: a shard's part of the topic space, such as "
                    + "metrics/job/site-a/# (default: <prefix>/job/# and <prefix>/job@base64/#).")
    public List<String> mqttTopics = new ArrayList<>();

    @Option(names = "--mqtt.replicate", negatable = true, defaultValue = "false", fallbackValue = "true",
            description = "Publish every accepted HTTP push and delete to the MQTT broker (MQTT 5, QoS 1) and answer "
                    + "once the broker has it, instead of storing it here; every Tidegate subscribed to its topic, "
                    + "this one included, applies it from there (default: ${DEFAULT-VALUE}).")
    public boolean mqttReplicate;

    @Option(names = "--log.level", defaultValue = "info", paramLabel = "<level>", converter = LogLevelConverter.class,
            description = "Only log messages with the given severity or above. One of: [debug, info, warn, error] "
                    + "(default: ${DEFAULT-VALUE}).")
    public LogLevel logLevel;

    @Option(names = "--log.format", defaultValue = "logfmt", paramLabel = "<format>",
            description = "Output format of log messages. One of: [logfmt, json] (default: ${DEFAULT-VALUE}).")
    public LogFormat logFormat;

    @Option(names = "--help-long", description = "Show this help; as --help (upstream's long help).")
    public boolean helpLong;

    @Option(names = "--help-man", description = "Print this help as a man page (troff).")
    public boolean helpMan;

    @Option(names = "--completion-script-bash", description = "Print a bash completion script for the flags.")
    public boolean completionScriptBash;

    @Option(names = "--completion-script-zsh", description = "Print a zsh completion script for the flags (the bash "
            + "one, which zsh runs through bashcompinit).")
    public boolean completionScriptZsh;

    /** The flags that print something and exit, and are no setting: upstream leaves them out of its status too. */
    private static final Set<String> BOILERPLATE = Set.of("--help", "--version", "--help-long",
            "--help-man", "--completion-script-bash", "--completion-script-zsh");

    /**
     * What of the flags given cannot apply here, one line each, naming the flag and why; Tidegate
     * starts all the same and logs each as a warning. Upstream's unit files may give them.
     */
    public List<String> notApplied() {
        List<String> lines = new ArrayList<>();
        if (systemdSocket) {
            lines.add("--web.systemd-socket is not supported (the JVM cannot take systemd's listening sockets); "
                    + "listening on --web.listen-address " + String.join(",", tcpListenAddresses())
                    + " instead, so stop the socket unit that holds the port");
        }
        if (!localAssets.isEmpty()) {
            lines.add("--web.local-assets " + localAssets + " is not used: Tidegate serves its page and its files "
                    + "from its jar");
        }
        for (String address : listenAddresses) {
            if (isVsock(address)) {
                lines.add("--web.listen-address " + address + " is passed over: the JVM cannot listen on vsock");
            }
        }
        return lines;
    }

    /** The {@code --web.listen-address} values Tidegate listens on: all but vsock ones. */
    public List<String> tcpListenAddresses() {
        return listenAddresses.stream().filter(address -> !isVsock(address)).toList();
    }

    private static boolean isVsock(String address) {
        return address.startsWith("vsock://");
    }

    /**
     * The command line for {@code flags}. Boolean flags take upstream's negative form
     * ({@code --no-web.enable-lifecycle}); picocli's own rule does not allow dots in names.
     */
    public static CommandLine commandLine(Flags flags) {
        CommandLine commandLine = new CommandLine(flags);
        commandLine.setOverwrittenOptionsAllowed(true); // as upstream: the last occurrence wins
        commandLine.setNegatableOptionTransformer(new CommandLine.RegexTransformer.Builder()
                .addPattern("^--no-([\\w.-]+)$", "--$1", "--[no-]$1")
                .addPattern("^--([\\w.-]+)$", "--no-$1", "--[no-]$1")
                .build());
        return commandLine;
    }

    public enum LogLevel { debug, info, warn, error }

    public enum LogFormat { logfmt, json }

    /** {@code --log.level} in any case, as upstream reads it ({@code --log.level=DEBUG}). */
    static final class LogLevelConverter implements ITypeConverter<LogLevel> {
        @Override
        public LogLevel convert(String value) {
            for (LogLevel level : LogLevel.values()) {
                if (level.name().equalsIgnoreCase(value)) {
                    return level;
                }
            }
            throw new TypeConversionException("unrecognized log level " + value + " (one of: debug, info, warn, error)");
        }
    }

    /** {@code --mqtt.protocol}, spelled as the protocol spells itself. */
    static final class MqttProtocolConverter extends SpelledEnumConverter<MqttProtocol> {
        MqttProtocolConverter() {
            super(MqttProtocol.class, "--mqtt.protocol");
        }
    }

    /** {@code --mqtt.discovery}: {@code off} or {@code homeassistant}. */
    static final class DiscoveryModeConverter extends SpelledEnumConverter<DiscoveryMode> {
        DiscoveryModeConverter() {
            super(DiscoveryMode.class, "--mqtt.discovery");
        }
    }

    /** {@code --mqtt.retained}, read by the mode itself so the spelling lives in one place. */
    static final class RetainedModeConverter implements ITypeConverter<RetainedMode> {
        @Override
        public RetainedMode convert(String value) {
            try {
                return RetainedMode.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("invalid --mqtt.retained \"" + value + "\" (one of: "
                        + RetainedMode.APPLY + ", " + RetainedMode.IGNORE_UNSEEN + ")");
            }
        }
    }

    /** The bounds on what one write may carry and on how many groups, series and heap bytes are held (SPEC §7). */
    public WriteLimits writeLimits() {
        return new WriteLimits(maxSeries, maxLabelsPerSeries, maxLabelNameLength, maxLabelValueLength, maxGroups,
                maxStoredSeries, maxStoredBytes, nameValidation());
    }

    /** Which metric and label names pushes may use ({@code --push.enable-utf8-names}). */
    public NameValidation nameValidation() {
        return enableUtf8Names ? NameValidation.UTF8 : NameValidation.LEGACY;
    }

    /** What the HTTP side needs of the flags. */
    public WebSettings webSettings() {
        return new WebSettings(tcpListenAddresses(), webConfigFile, routePrefix, externalUrl, telemetryPath, enableLifecycle,
                enableAdminApi, maxBodySize, !disableConsistencyCheck, asMap());
    }

    /** Every flag with its value, as upstream shows them on /api/v1/status and the status page. */
    public Map<String, String> asMap() {
        Map<String, String> values = new LinkedHashMap<>();
        for (OptionSpec option : spec.options()) {
            String name = option.longestName();
            if (BOILERPLATE.contains(name)) {
                continue;
            }
            Object value = option.getValue();
            String text = value instanceof Duration duration ? DurationConverter.format(duration)
                    : value instanceof List<?> list ? String.join(",", list.stream().map(String::valueOf).toList())
                    : String.valueOf(value);
            values.put(name.substring(2), text);
        }
        return values;
    }
}
