package io.tidegate.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
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
            description = "Address to listen on for the web interface, API and telemetry (default: ${DEFAULT-VALUE}).")
    public String listenAddress;

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

    @Option(names = "--persistence.file", defaultValue = "", paramLabel = "<file>",
            description = "File to persist metrics. If empty, metrics are only kept in memory.")
    public String persistenceFile;

    @Option(names = "--persistence.interval", defaultValue = "5m", paramLabel = "<duration>",
            converter = DurationConverter.class,
            description = "The minimum interval at which to write out the persistence file (default: ${DEFAULT-VALUE}).")
    public Duration persistenceInterval;

    @Option(names = "--push.disable-consistency-check", negatable = true, defaultValue = "false",
            fallbackValue = "true",
            description = "Do not check pushes against stored metrics for help conflicts and duplicate series. "
                    + "Type conflicts and invalid names are still refused. Pushes are answered 202.")
    public boolean disableConsistencyCheck;

    @Option(names = "--push.max-body-size", defaultValue = "32MiB", paramLabel = "<bytes>",
            converter = ByteSizeConverter.class,
            description = "Largest push body accepted, before and after decompression; larger ones get 413 "
                    + "(default: ${DEFAULT-VALUE}).")
    public long maxBodySize;

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

    @Option(names = "--log.level", defaultValue = "info", paramLabel = "<level>",
            description = "Only log messages with the given severity or above. One of: [debug, info, warn, error] "
                    + "(default: ${DEFAULT-VALUE}).")
    public LogLevel logLevel;

    @Option(names = "--log.format", defaultValue = "logfmt", paramLabel = "<format>",
            description = "Output format of log messages. One of: [logfmt, json] (default: ${DEFAULT-VALUE}).")
    public LogFormat logFormat;

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

    /** Every flag with its value, as upstream shows them on /api/v1/status and the status page. */
    public Map<String, String> asMap() {
        Map<String, String> values = new LinkedHashMap<>();
        for (OptionSpec option : spec.options()) {
            String name = option.longestName();
            if (name.equals("--help") || name.equals("--version")) {
                continue;
            }
            Object value = option.getValue();
            String text = value instanceof Duration duration ? DurationConverter.format(duration) : String.valueOf(value);
            values.put(name.substring(2), text);
        }
        return values;
    }
}
