package io.tidegate.config;

import io.tidegate.format.NameValidation;
import io.tidegate.mqtt.mapping.MqttMappings;
import io.tidegate.ttl.TtlRules;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Tidegate's configuration file ({@code --config.file}), as loaded: an immutable value, so a reload
 * replaces it whole. An example with comments is {@code examples/tidegate.yml}.
 *
 * <p>The file is YAML. Each top-level key is a section, read by its own class; a key Tidegate does
 * not know is an error (a misspelt section must not be silently ignored). An empty file is an empty
 * configuration. Sections:
 *
 * <h2>{@code ttl_rules}</h2>
 * The server TTL rules (SPEC §3, item 3), used when a push gives no TTL of its own. The first rule
 * that applies to a group gives its TTL; when none applies, {@code --ttl.default} does.
 * <pre>{@code
 * ttl_rules:
 *   - match: '{job=~"sensor.*", room!="lab"}'  # optional: a PromQL selector over the grouping key's labels
 *     source: mqtt                              # optional: http or mqtt; without it, both
 *     ttl: 5m                                   # required: a Prometheus duration or plain seconds; 0 = never expire
 *   - match: ['job="backup"']                   # or a list of single matchers, all of which must match
 *     ttl: 26h
 * }</pre>
 * <ul>
 *   <li>{@code match} is written in PromQL selector syntax, in YAML quotes (unquoted, YAML reads
 *       {@code {...}} as a mapping): {@code =}, {@code !=}, {@code =~}, {@code !~}; values in
 *       double or single quotes with Go escapes, or in back quotes; regular expressions anchored at
 *       both ends as in Prometheus. A label the grouping key lacks counts as the empty string:
 *       {@code room!="lab"} matches a key without {@code room}, {@code room=""} matches only those.
 *       Without {@code match} (or with {@code {}}) a rule applies to every group. See {@link
 *       LabelMatcher}.
 *   <li>{@code source} limits a rule to groups pushed over HTTP or published over MQTT.
 *   <li>{@code ttl}: {@code 90s}, {@code 5m}, {@code 1h30m}, {@code 2d}, or seconds ({@code 300});
 *       {@code 0} means never expire and stops the search (it does not fall through to the default).
 *   <li>Any other key in a rule is an error.
 * </ul>
 *
 * <h2>{@code mqtt_mappings}</h2>
 * Rules that take metrics from MQTT topics outside Tidegate's own scheme: the topics devices already
 * publish on (zigbee2mqtt, Tasmota, Shelly, ESPHome, Home Assistant). The first rule whose topic
 * matches (and whose {@code where} conditions hold) applies; topics under
 * {@code <prefix>/job/} always follow Tidegate's scheme. Ready-made files are in
 * {@code examples/mappings/}; the README chapter "Existing devices" explains every key.
 * <pre>{@code
 * mqtt_mappings:
 *   - name: tasmota-sensors                # optional: names the rule in logs and messages
 *     topic_prefix: tele                   # optional: levels put in front of topic (one YAML anchor for all rules)
 *     topic: +device/SENSOR                # required: a topic filter; +name and #name capture levels
 *     where: {device: 'kitchen-(?<n>.*)'}  # optional: regular expressions the captures must match;
 *                                          #   their named groups are captures too
 *     when: {Time: '2.*'}                  # json only: regular expressions payload fields must match
 *     group: {job: tasmota, device: '{device}'}   # required: the grouping key; job required
 *     format: json                         # json (default), value or prometheus
 *     replace: metrics                     # group (default for json and prometheus) or metrics (for value)
 *     ttl: 5m                              # optional: when the message gives no TTL of its own
 *     prefix: tasmota_                     # optional: before every metric name
 *     labels: {sensor_time: Time}          # json only: series labels from JSON fields
 *     metrics:                             # json: each with a path; value: at most one, without
 *       - path: '*.Temperature'            # dotted keys, [n] for an array element, * for any one key
 *         key_label: sensor                # with *: the label that takes the key it matched
 *         key_match: '[A-Z0-9]+'           # with *: the keys it takes; named groups become labels
 *         index_label: channel             # an array gives one series per element, 1, 2, ... (default channel)
 *         name: temperature                # default: the path's last key, or the topic's last level
 *         unit: celsius                    # appended unless the name ends with it
 *         scale: 1                         # the value is multiplied by it
 *         type: gauge                      # gauge (default), counter (gets _total) or untyped
 *         help: Temperature of the sensor.
 *         values: {"ON": 1, "OFF": 0}      # strings and the numbers they stand for
 *         ignore_case: true                # for values
 *         optional: true                   # a missing field, or one of the wrong type, is left out (and
 *                                          #   counted) rather than refused
 *   - topic: tele/+device/LWT
 *     group: {job: tasmota, device: '{device}'}
 *     availability: {offline: Offline, online: Online, path: state}   # or: availability: true
 * }</pre>
 *
 * <p>Every problem is a {@link ConfigException} whose message names the file, the place and what is
 * wrong, for instance {@code tidegate.yml: ttl_rules[2] (line 7): ttl "5x": invalid duration "5x":
 * unknown or missing unit at position 2 (use y, w, d, h, m, s or ms)}.
 */
public record ConfigFile(TtlRules ttlRules, MqttMappings mqttMappings) {
    /** The known top-level sections. A new section is a key here, a component, and a class that reads it. */
    private static final List<String> SECTIONS = List.of(TtlRulesSection.KEY, MqttMappingsSection.KEY);

    private static final ConfigFile EMPTY = new ConfigFile(TtlRules.none(), MqttMappings.none());

    public ConfigFile {
        Objects.requireNonNull(ttlRules, "ttlRules");
        Objects.requireNonNull(mqttMappings, "mqttMappings");
    }

    /** The configuration without a file: no rules. */
    public static ConfigFile empty() {
        return EMPTY;
    }

    /**
     * Reads and checks the file. Messages name the file as given ({@code path.toString()}).
     *
     * @throws ConfigException when the file cannot be read, is not YAML, or says something Tidegate
     *     cannot use; nothing of it is applied then
     */
    public static ConfigFile load(Path path) throws ConfigException {
        return load(path, NameValidation.LEGACY);
    }

    /** {@link #load(Path)}, the label and metric names of mapping rules checked by {@code names}. */
    public static ConfigFile load(Path path, NameValidation names) throws ConfigException {
        String file = path.toString();
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": cannot read the configuration file: no such file");
        } catch (AccessDeniedException e) {
            throw new ConfigException(file + ": cannot read the configuration file: permission denied");
        } catch (MalformedInputException e) {
            throw new ConfigException(file + ": cannot read the configuration file: it is not UTF-8 text");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read the configuration file: " + e.getMessage());
        }
        return parse(file, text, names);
    }

    /** The configuration this YAML text gives; {@code file} names it in messages. */
    public static ConfigFile parse(String file, String text) throws ConfigException {
        return parse(file, text, NameValidation.LEGACY);
    }

    /** {@link #parse(String, String)}, the label and metric names of mapping rules checked by {@code names}. */
    public static ConfigFile parse(String file, String text, NameValidation names) throws ConfigException {
        Map<String, ConfigNode> sections = ConfigNode.parse(file, text).sections(SECTIONS);
        ConfigNode ttlRules = sections.get(TtlRulesSection.KEY);
        ConfigNode mqttMappings = sections.get(MqttMappingsSection.KEY);
        return new ConfigFile(ttlRules == null ? TtlRules.none() : TtlRulesSection.read(ttlRules),
                mqttMappings == null ? MqttMappings.none() : MqttMappingsSection.read(mqttMappings, names));
    }

    @Override
    public String toString() {
        return "ConfigFile[" + ttlRules + "; " + mqttMappings + "]";
    }
}
