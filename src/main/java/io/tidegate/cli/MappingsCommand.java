package io.tidegate.cli;

import io.tidegate.mqtt.MqttIngest;
import io.tidegate.mqtt.MqttMessage;
import io.tidegate.mqtt.MqttMetrics;
import io.tidegate.mqtt.MqttOutcome;
import io.tidegate.mqtt.RetainedMode;
import io.tidegate.mqtt.SkipReason;
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
import io.tidegate.store.Verb;
import io.tidegate.store.WriteRequest;
import io.tidegate.telemetry.OwnMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
 */
public final class MappingsCommand implements Subcommand {
    private static final String USAGE = "usage: tidegate mappings test --config FILE --topic TOPIC --payload PAYLOAD"
            + " [--retained] [--property KEY=VALUE]...";

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
            + "  --property KEY=VALUE   an MQTT 5 user property (ttl=5m gives the message its TTL)\n\n"
            + "Exit status 0 when the message would be applied, 1 when it would be refused or skipped or the\n"
            + "file does not load, 2 for bad usage.";

    /** The message and file the command line names, or the usage mistake. */
    private record Arguments(Path config, MqttMessage message, String mistake) {}

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
            config = ConfigFile.load(parsed.config());
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return 1;
        }
        Store scratch = new Store(Clock.systemUTC(), true, name -> null, new ExpirySchedule());
        TtlResolver ttls = new TtlResolver(config::ttlRules, Duration.ZERO, Duration.ZERO);
        MqttIngest ingest = new MqttIngest(scratch, ttls, "metrics", RetainedMode.APPLY, MqttIngest.DEFAULT_MAX_PAYLOAD_BYTES,
                1, Clock.systemUTC(), new MqttMetrics(new OwnMetrics()), config::mqttMappings);
        MqttOutcome outcome = ingest.handle(parsed.message(), () -> { });
        out.println("topic: " + parsed.message().topic());
        out.println("rule: " + (outcome.rule() != null ? outcome.rule()
                : outcome.kind() == MqttOutcome.Kind.WRITTEN ? "none (Tidegate's own topic scheme)" : "none"));
        switch (outcome.kind()) {
            case WRITTEN -> printWrite(outcome.write(), scratch, out);
            case OFFLINE -> out.println("availability: offline; deletes every group whose grouping key has "
                    + outcome.offline());
            case ONLINE -> out.println("availability: online; changes nothing");
            case SKIPPED -> out.println("skipped (" + outcome.skipped().label() + "): "
                    + (outcome.skipped() != SkipReason.UNMAPPED ? "a retained copy"
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
            case WRITTEN, OFFLINE, ONLINE, ADOPTED -> 0;
            case SKIPPED, REJECTED -> 1;
        };
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
        Map<String, String> properties = new LinkedHashMap<>();
        for (int i = 1; i < arguments.size(); i++) {
            String argument = arguments.get(i);
            String option = argument.contains("=") && argument.startsWith("--") ? argument.substring(0, argument.indexOf('='))
                    : argument;
            String inline = option.equals(argument) ? null : argument.substring(option.length() + 1);
            if (option.equals("--retained")) {
                retained = true;
                continue;
            }
            if (!List.of("--config", "--topic", "--payload", "--property").contains(option)) {
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
                default -> {
                    int equals = value.indexOf('=');
                    if (equals <= 0) {
                        return mistake("--property takes KEY=VALUE, not \"" + value + "\"");
                    }
                    properties.put(value.substring(0, equals), value.substring(equals + 1));
                }
            }
        }
        if (config == null || topic == null || payload == null) {
            return mistake("--config, --topic and --payload are required");
        }
        MqttMessage message = new MqttMessage(topic, payload.getBytes(StandardCharsets.UTF_8), retained, 1, null, null,
                properties);
        return new Arguments(Path.of(config), message, null);
    }

    private static Arguments mistake(String mistake) {
        return new Arguments(null, null, mistake);
    }
}
