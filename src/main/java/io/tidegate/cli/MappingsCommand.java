package io.tidegate.cli;

import io.tidegate.format.NameValidation;
import io.tidegate.mqtt.MqttIngest;
import io.tidegate.mqtt.MqttMessage;
import io.tidegate.mqtt.MqttMetrics;
import io.tidegate.mqtt.MqttOutcome;
import io.tidegate.mqtt.RetainedMode;
import io.tidegate.mqtt.SkipReason;
import io.tidegate.mqtt.discovery.HomeAssistantDiscovery;
import io.tidegate.config.ConfigException;
import io.tidegate.config.ConfigFile;
import io.tidegate.format.Durations;
import io.tidegate.ttl.ExpirySchedule;
import io.tidegate.ttl.TtlResolver;
import io.tidegate.format.ExpositionFormat;
import io.tidegate.format.WireFormat;
import io.tidegate.store.Group;
import io.tidegate.store.StoredFamily;
import io.tidegate.store.Store;
import io.tidegate.store.WriteLimits;
import io.tidegate.store.Verb;
import io.tidegate.store.WriteRequest;
import io.tidegate.telemetry.OwnMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code tidegate mappings test --config FILE --topic T --payload P [--retained] [--property k=v]...}:
 * what one message would become, without a broker. The message goes through the live path itself, an
 * {@link MqttIngest} with the file's rules in front of a scratch store, and the command prints the rule
 * that applied, the grouping key, the TTL and the series as {@code /metrics} would show them (or what
 * an availability message does, or why the message would be refused). Exit status 0 when the message
 * would be applied, 1 when it would be refused or skipped or the file does not load, 2 for bad usage.
 *
 * <p>With {@code --discovery CONFIG_TOPIC CONFIG_JSON} (repeatable; {@code @file} reads the JSON from a file), Home
 * Assistant discovery is on ({@code --discovery-prefix}, default {@code homeassistant}): each config is taken first,
 * as a retained message, and the command says what became of it; then the message is read as discovery reads it
 * (entity, group, series with value, TTL, or why it gives none). {@code --config} is optional then.
 */
public final class MappingsCommand implements Subcommand {
    private static final String USAGE = "usage: tidegate mappings test --config FILE --topic TOPIC --payload PAYLOAD"
            + " [--retained] [--property KEY=VALUE]... [--discovery CONFIG_TOPIC CONFIG_JSON|@FILE]..."
            + " [--discovery-prefix PREFIX] [--push.enable-utf8-names]";

    @Override
    public String name() {
        return "mappings";
    }

    @Override
    public String synopsis() {
        return "mappings test <flags>";
    }

    @Override
    public String summary() {
        return "Show what one MQTT message would become under a configuration file's mqtt_mappings rules, "
                + "without a broker (tidegate help mappings).";
    }

    private static final String HELP = USAGE + "\n\n"
            + "Shows what one MQTT message would become: the rule that applies, the grouping key, the TTL and\n"
            + "the series as /metrics would show them, or why it would be refused. Nothing is stored.\n\n"
            + "  --config FILE          the configuration file whose mqtt_mappings rules apply\n"
            + "  --topic TOPIC          the message's topic\n"
            + "  --payload PAYLOAD      the message's payload, as text\n"
            + "  --retained             the message comes with the retain flag (a broker's stored copy)\n"
            + "  --property KEY=VALUE   an MQTT 5 user property (ttl=5m gives the message its TTL)\n"
            + "  --push.enable-utf8-names  read names as the server does with this flag (UTF-8 names in\n"
            + "                         rules, topics and payloads)\n\n"
            + "Exit status 0 when the message would be applied, 1 when it would be refused or skipped or the\n"
            + "file does not load, 2 for bad usage.";

    /** The message and file the command line names, or the usage mistake. */
    private record Arguments(Path config, MqttMessage message, List<MqttMessage> discoveryConfigs, String discoveryPrefix,
            NameValidation names, String mistake) {}

    @Override
    public int run(List<String> arguments, PrintStream out, PrintStream err) {
        if (arguments.contains("--help") || arguments.contains("-h")) {
            out.println(HELP);
            return 0;
        }
        Arguments parsed = parse(arguments);
        if (parsed.mistake() != null) {
            err.println("tidegate mappings: " + parsed.mistake());
            err.println(USAGE);
            return 2;
        }
        ConfigFile config;
        try {
            config = parsed.config() == null ? ConfigFile.empty() : ConfigFile.load(parsed.config(), parsed.names());
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return 1;
        }
        WriteLimits d = WriteLimits.DEFAULTS;
        Store scratch = new Store(Clock.systemUTC(), true, name -> null, 0, new WriteLimits(d.maxSeries(),
                d.maxLabelsPerSeries(), d.maxLabelNameLength(), d.maxLabelValueLength(), d.maxGroups(),
                d.maxStoredSeries(), d.maxStoredBytes(), parsed.names()), new ExpirySchedule());
        TtlResolver ttls = new TtlResolver(config::ttlRules, Duration.ZERO, Duration.ZERO);
        HomeAssistantDiscovery discovery;
        try {
            discovery = parsed.discoveryConfigs().isEmpty() ? null : new HomeAssistantDiscovery(parsed.discoveryPrefix());
        } catch (IllegalArgumentException e) {
            err.println("tidegate mappings: " + e.getMessage());
            return 2;
        }
        MqttIngest ingest = new MqttIngest(scratch, ttls, "metrics", RetainedMode.APPLY, MqttIngest.DEFAULT_MAX_PAYLOAD_BYTES,
                1, Clock.systemUTC(), new MqttMetrics(new OwnMetrics()), config::mqttMappings, null, discovery,
                filters -> { });
        for (MqttMessage discoveryConfig : parsed.discoveryConfigs()) {
            MqttOutcome taken = ingest.handle(discoveryConfig, () -> { });
            out.println("discovery config: " + discoveryConfig.topic());
            switch (taken.kind()) {
                case DISCOVERED -> out.println("  " + taken.discovery().config());
                case SKIPPED -> out.println("  ignored (" + taken.skipped().label() + "): " + taken.message());
                case REJECTED -> out.println("  rejected (" + taken.rejection().label() + "): " + taken.message());
                default -> out.println("  " + taken.kind());
            }
        }
        MqttOutcome outcome = ingest.handle(parsed.message(), () -> { });
        out.println("topic: " + parsed.message().topic());
        out.println("rule: " + (outcome.rule() != null ? outcome.rule()
                : outcome.kind() == MqttOutcome.Kind.WRITTEN ? "none (Tidegate's own topic scheme)" : "none"));
        switch (outcome.kind()) {
            case WRITTEN -> printWrite(outcome.write(), scratch, out);
            case OFFLINE -> out.println("availability: offline; deletes every group whose grouping key has "
                    + outcome.offline());
            case ONLINE -> out.println("availability: online; changes nothing");
            case DISCOVERED -> printDiscovered(outcome.discovery(), scratch, out);
            case SKIPPED -> out.println("skipped (" + outcome.skipped().label() + "): "
                    + (outcome.message() != null ? outcome.message()
                    : outcome.skipped() != SkipReason.UNMAPPED ? "a retained copy"
                    : outcome.rule() == null ? "a rule's topic matches, but the where conditions of every such"
                            + " rule leave it out"
                    : "the rule takes nothing from it (its when conditions leave it out, or it carries none of"
                            + " the rule's metrics)"));
            case REJECTED -> out.println("rejected (" + outcome.rejection().label() + "): " + outcome.message());
        }
        if (!outcome.skippedFields().isEmpty()) {
            out.println("skipped fields (optional metrics; counted in tidegate_mqtt_fields_skipped_total):");
            outcome.skippedFields().forEach(field -> out.println("  " + field));
        }
        return switch (outcome.kind()) {
            case WRITTEN, OFFLINE, ONLINE, ADOPTED, DISCOVERED -> 0;
            case SKIPPED, REJECTED -> 1;
        };
    }

    /** What discovery made of a state or availability message: each entity's write, each group deleted, each value dropped. */
    private static void printDiscovered(MqttOutcome.Discovered discovered, Store scratch, PrintStream out) {
        if (discovered.config() != null) {
            out.println("discovery config: " + discovered.config());
        }
        for (var deleted : discovered.deleted()) {
            out.println("discovery: deletes the group " + deleted + " (not available)");
        }
        for (WriteRequest write : discovered.writes()) {
            if (write.verb() != Verb.DELETE) {
                out.println("discovery entity: " + write.key().labels().stream()
                        .filter(label -> label.name().equals(HomeAssistantDiscovery.ENTITY)).findFirst()
                        .map(label -> label.value()).orElse(""));
                printWrite(write, scratch, out);
            }
        }
        for (String dropped : discovered.dropped()) {
            out.println("discovery: no value for " + dropped);
        }
        if (discovered.writes().isEmpty() && discovered.deleted().isEmpty() && discovered.config() == null) {
            out.println("discovery: changes nothing (available, or a payload that says neither)");
        }
    }

    private static void printWrite(WriteRequest write, Store scratch, PrintStream out) {
        if (write.verb() == Verb.WIPE) {
            out.println("wipes every group (a replicated admin wipe)");
            return;
        }
        out.println("grouping key: " + write.key());
        if (write.verb() == Verb.DELETE) {
            out.println("deletes the group (an empty payload)");
            return;
        }
        out.println(write.verb() == Verb.PUT ? "replaces: the whole group (PUT)"
                : "replaces: only the metrics below; the group's others stay (POST)");
        long ttl = write.ttls().pushMillis();
        out.println("ttl: " + (ttl == 0 ? "never expires" : Durations.format(Duration.ofMillis(ttl))));
        write.ttls().familyMillis().forEach((family, millis) ->
                out.println("ttl of " + family + ": " + (millis == 0 ? "never expires" : Durations.format(Duration.ofMillis(millis)))));
        out.println("series:");
        // rendered from the scratch store, so the grouping labels are applied as /metrics shows them
        ExpositionFormat text = WireFormat.TEXT.format();
        ByteArrayOutputStream series = new ByteArrayOutputStream();
        try {
            for (Group group : scratch.snapshot().groups()) {
                for (StoredFamily stored : group.families().values()) {
                    if (write.families().containsKey(stored.name())) {
                        text.writeFamily(stored.name(), stored.family().help(), stored.family().type(),
                                List.of(text.renderSeries(stored.family())), series);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.print(series.toString(StandardCharsets.UTF_8));
    }

    private static Arguments parse(List<String> arguments) {
        if (arguments.isEmpty() || !arguments.get(0).equals("test")) {
            return mistake(arguments.isEmpty() ? "missing the action (test)" : "unknown action \"" + arguments.get(0) + "\"");
        }
        String config = null;
        String topic = null;
        String payload = null;
        boolean retained = false;
        NameValidation names = NameValidation.LEGACY;
        Map<String, String> properties = new LinkedHashMap<>();
        List<MqttMessage> discoveryConfigs = new ArrayList<>();
        String discoveryPrefix = HomeAssistantDiscovery.DEFAULT_PREFIX;
        for (int i = 1; i < arguments.size(); i++) {
            String argument = arguments.get(i);
            if (argument.equals("--discovery")) {
                if (i + 2 >= arguments.size()) {
                    return mistake("--discovery needs a config topic and its JSON (or @file)");
                }
                String configTopic = arguments.get(++i);
                String json = arguments.get(++i);
                byte[] bytes;
                if (json.startsWith("@")) {
                    try {
                        bytes = Files.readAllBytes(Path.of(json.substring(1)));
                    } catch (IOException e) {
                        return mistake("cannot read " + json.substring(1) + ": " + e.getMessage());
                    }
                } else {
                    bytes = json.getBytes(StandardCharsets.UTF_8);
                }
                discoveryConfigs.add(new MqttMessage(configTopic, bytes, true, 1, null, null, Map.of()));
                continue;
            }
            String option = argument.contains("=") && argument.startsWith("--") ? argument.substring(0, argument.indexOf('='))
                    : argument;
            String inline = option.equals(argument) ? null : argument.substring(option.length() + 1);
            if (option.equals("--retained")) {
                retained = true;
                continue;
            }
            if (option.equals("--push.enable-utf8-names")) {
                names = NameValidation.UTF8;
                continue;
            }
            if (!List.of("--config", "--topic", "--payload", "--property", "--discovery-prefix").contains(option)) {
                return mistake("unknown option \"" + argument + "\"");
            }
            String value = inline;
            if (value == null) {
                if (i + 1 >= arguments.size()) {
                    return mistake(option + " needs a value");
                }
                value = arguments.get(++i);
            }
            switch (option) {
                case "--config" -> config = value;
                case "--topic" -> topic = value;
                case "--payload" -> payload = value;
                case "--discovery-prefix" -> discoveryPrefix = value;
                default -> {
                    int equals = value.indexOf('=');
                    if (equals <= 0) {
                        return mistake("--property takes KEY=VALUE, not \"" + value + "\"");
                    }
                    properties.put(value.substring(0, equals), value.substring(equals + 1));
                }
            }
        }
        if ((config == null && discoveryConfigs.isEmpty()) || topic == null || payload == null) {
            return mistake("--config (or --discovery), --topic and --payload are required");
        }
        MqttMessage message = new MqttMessage(topic, payload.getBytes(StandardCharsets.UTF_8), retained, 1, null, null,
                properties);
        return new Arguments(config == null ? null : Path.of(config), message, discoveryConfigs, discoveryPrefix, names,
                null);
    }

    private static Arguments mistake(String mistake) {
        return new Arguments(null, null, List.of(), null, NameValidation.LEGACY, mistake);
    }
}
