package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.config.ConfigException;
import io.tidegate.config.ConfigFile;
import io.tidegate.mqtt.mapping.MqttMappings;
import io.tidegate.format.BodyFormatException;
import io.tidegate.format.ParsedBody;
import io.tidegate.format.ProtobufBodyReader;
import io.tidegate.format.TextFormatParser;
import io.tidegate.format.WireFormat;
import io.tidegate.fuzz.ExpositionTexts;
import io.tidegate.fuzz.FuzzBudget;
import io.tidegate.fuzz.JsonTexts;
import io.tidegate.fuzz.KeyTexts;
import io.tidegate.fuzz.Mutations;
import io.tidegate.fuzz.Refusals;
import io.tidegate.fuzz.Renderings;
import io.tidegate.store.Group;
import io.tidegate.store.StoredFamily;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * Fuzzing of the whole MQTT ingest (SPEC §7): sequences of messages with any topic, payload, content
 * type, expiry, {@code ttl} property, other user properties and retain flag, on Tidegate's own topics and on topics that
 * mapping rules of every kind read, with time passing between them. Nothing a
 * publisher sends makes {@link MqttIngest#onMessage} throw or count an internal error; after every
 * message the store still renders in all three formats, its text scrape parses, and every group is
 * well-formed; a rejected or skipped message leaves the store exactly as it was.
 */
@AddLifecycleHook(FuzzBudget.class)
class MqttIngestFuzzTest {
    private static final long MAX_PAYLOAD_BYTES = 8 * 1024;

    /** One message and the seconds that pass before it arrives. */
    record Step(String topic, byte[] payload, boolean retained, Long expiry, String contentType, String ttl,
            Map<String, String> otherProperties, int secondsBefore) {
        MqttMessage message() {
            Map<String, String> properties = new java.util.LinkedHashMap<>(otherProperties);
            if (ttl != null) {
                properties.put(MqttIngest.TTL_PROPERTY, ttl);
            }
            return new MqttMessage(topic, payload, retained, 1, expiry, contentType, properties);
        }

        @Override
        public String toString() {
            return "Step[topic=" + topic + ", payload=" + new String(payload, StandardCharsets.UTF_8).replace("\n", "\\n")
                    + " (" + payload.length + " bytes), retained=" + retained + ", expiry=" + expiry + ", contentType="
                    + contentType + ", ttl=" + ttl + ", otherProperties=" + otherProperties + ", secondsBefore=" + secondsBefore + "]";
        }
    }

    // --- findings --------------------------------------------------------------------------------

    /** Finding: a content type of only ";" split into no parts at all, and its reading threw (an internal error). */
    @Example
    void contentTypeOfOnlyASemicolonIsUnsupportedNotAnInternalError() {
        IngestFixture fixture = new IngestFixture();

        fixture.publish(Publish.live("metrics/job/a", "x 1\n").contentType(";"));

        assertThat(fixture.rejected(RejectReason.INTERNAL_ERROR)).isZero();
        assertThat(fixture.rejected(RejectReason.UNSUPPORTED_CONTENT_TYPE)).isEqualTo(1);
        assertThat(fixture.lastRejection("metrics/job/a").message()).startsWith("unsupported content type \";\"");
    }

    @Property(tries = 120)
    void anyMessagesLeaveAConsistentStoreAndRejectionsChangeNothing(@ForAll("steps") List<Step> steps,
            @ForAll RetainedMode mode, @ForAll boolean withTtls) throws IOException {
        Duration ttl = withTtls ? Duration.ofSeconds(30) : Duration.ZERO;
        IngestFixture fixture = new IngestFixture(mode, 4, ttl, withTtls ? Duration.ofMinutes(10) : Duration.ZERO,
                MAX_PAYLOAD_BYTES, "metrics");
        fixture.mappings.set(MAPPINGS);
        for (Step step : steps) {
            fixture.advance(Duration.ofSeconds(step.secondsBefore()));
            byte[] before = scrape(fixture, WireFormat.TEXT);
            double unapplied = unapplied(fixture);
            double inconsistent = fixture.rejected(RejectReason.INCONSISTENT);

            java.util.concurrent.atomic.AtomicInteger acknowledged = new java.util.concurrent.atomic.AtomicInteger();
            fixture.ingest.onMessage(step.message(), acknowledged::incrementAndGet);

            assertThat(acknowledged).as("acknowledgements of %s", step).hasValue(1);
            assertThat(fixture.rejected(RejectReason.INTERNAL_ERROR)).as("internal errors after %s", step).isZero();
            assertStoreConsistent(fixture);
            String after = new String(scrape(fixture, WireFormat.TEXT), StandardCharsets.UTF_8);
            if (fixture.rejected(RejectReason.INCONSISTENT) > inconsistent) {
                // as for an HTTP push the store refuses, the failure time is recorded (a new group of
                // only its times appears), and nothing else changes
                assertThat(withoutPushTimes(after)).as("store after %s", step)
                        .isEqualTo(withoutPushTimes(new String(before, StandardCharsets.UTF_8)));
            } else if (unapplied(fixture) > unapplied) {
                assertThat(after).as("store after %s", step).isEqualTo(new String(before, StandardCharsets.UTF_8));
            }
        }
        for (MqttRejection rejection : fixture.ingest.rejections()) {
            Refusals.assertClean(rejection.message());
        }
    }

    private static final Pattern PUSH_TIME_LINE =
            Pattern.compile("^(# (HELP|TYPE) )?push_(failure_|expiry_)?time_seconds[ {].*$\\n?", Pattern.MULTILINE);

    private static String withoutPushTimes(String scrape) {
        return PUSH_TIME_LINE.matcher(scrape).replaceAll("");
    }

    private static double unapplied(IngestFixture fixture) {
        double sum = 0;
        for (RejectReason reason : RejectReason.values()) {
            sum += fixture.rejected(reason);
        }
        for (SkipReason reason : SkipReason.values()) {
            sum += fixture.skipped(reason);
        }
        return sum;
    }

    private static void assertStoreConsistent(IngestFixture fixture) throws IOException {
        for (Group group : fixture.store.snapshot().groups()) {
            KeyTexts.assertWellFormed(group.key());
            group.families().forEach((name, stored) -> {
                assertThat(stored.name()).isEqualTo(name);
                assertThat(stored.family().name()).isEqualTo(name);
            });
            for (StoredFamily stored : group.families().values()) {
                assertThat(stored.family().metrics()).as("series of %s in %s", stored.name(), group.key()).isNotEmpty();
            }
        }
        byte[] text = scrape(fixture, WireFormat.TEXT);
        try {
            ParsedBody parsed = new TextFormatParser().parse(text, text.length);
            Renderings.assertWellFormed(parsed);
        } catch (BodyFormatException e) {
            throw new AssertionError("the text scrape does not parse: " + e.getMessage() + "\n"
                    + new String(text, StandardCharsets.UTF_8), e);
        }
        byte[] protobuf = scrape(fixture, WireFormat.PROTOBUF);
        try {
            new ProtobufBodyReader().read(new ByteArrayInputStream(protobuf), Long.MAX_VALUE);
        } catch (BodyFormatException e) {
            throw new AssertionError("the protobuf scrape does not read: " + e.getMessage(), e);
        }
        assertThat(scrape(fixture, WireFormat.OPENMETRICS)).isNotNull();
    }

    /** The store's own part of a scrape: Tidegate's own metrics change with every message. */
    private static byte[] scrape(IngestFixture fixture, WireFormat format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        fixture.store.snapshot().scrape(format, List.of(), out);
        return out.toByteArray();
    }

    /** Finding: the content type went into the message raw, so a newline in it broke the log line. */
    @Example
    void contentTypeWithANewlineIsQuotedInTheRejection() {
        IngestFixture fixture = new IngestFixture();

        fixture.publish(Publish.live("metrics/job/a", "x 1\n").contentType("application/xml\n"));

        assertThat(fixture.lastRejection("metrics/job/a").message()).startsWith("unsupported content type \"application/xml\\n\": ")
                .satisfies(Refusals::assertClean);
    }

    /** Finding: an expiry interval beyond MQTT's four bytes overflowed the TTL in milliseconds (an internal error). */
    @Example
    void expiryIntervalBeyondTheMqttMaximumIsABadTtlNotAnInternalError() {
        IngestFixture fixture = new IngestFixture();

        fixture.publish(Publish.live("metrics/job/a", "m 0\n").expiry(Long.MAX_VALUE));
        fixture.publish(Publish.live("metrics/job/b", "m 0\n").expiry(MqttIngest.MAX_EXPIRY_INTERVAL_SECONDS));

        assertThat(fixture.rejected(RejectReason.INTERNAL_ERROR)).isZero();
        assertThat(fixture.rejected(RejectReason.BAD_TTL)).isEqualTo(1);
        assertThat(fixture.lastRejection("metrics/job/a").message())
                .isEqualTo("message expiry interval 9223372036854775807 exceeds the MQTT maximum of 4294967295 seconds");
        assertThat(fixture.lastRejection("metrics/job/b")).isNull();
    }

    /** Rules of every kind, so that mapped topics go through the fuzzing too. */
    private static final MqttMappings MAPPINGS = mappings("""
            mqtt_mappings:
              - {topic: 'zigbee2mqtt/+d/availability', group: {job: z, device: '{d}'}, availability: {path: state}}
              - topic: zigbee2mqtt/+d
                group: {job: z, device: '{d}'}
                ttl: 1m
                labels: {model: device.model}
                metrics:
                  - {path: temperature, unit: celsius, optional: true}
                  - {path: state, values: {"ON": 1, "OFF": 0}, ignore_case: true, optional: true}
              - topic: tele/+d/SENSOR
                group: {job: t, device: '{d}'}
                replace: metrics
                metrics: [{path: '*.Temperature', key_label: sensor, name: temperature}]
              - {topic: 'shellies/+d/relay/+c/power', group: {job: s, device: '{d}', channel: '{c}'}, format: value}
              - {topic: 'shellies/+d/online', group: {job: s, device: '{d}'}, availability: true}
              - {topic: '+d/status/+c', where: {c: 'switch:[0-9]+'}, group: {job: s, device: '{d}', component: '{c}'}}
              - {topic: 'legacy/#rest', group: {job: '{rest}'}, format: prometheus}
              - {topic: 'every/+d', group: {job: every, device: '{d}'}, prefix: e_}
              - topic: +d/events/rpc
                when: {method: 'NotifyStatus|NotifyFullStatus'}
                group: {job: s, device: '{d}'}
                replace: metrics
                metrics:
                  - {path: 'params.*.tC', key_match: 'temperature:[0-9]+', key_label: component, name: t, optional: true}
                  - {path: 'params.*', key_match: '(?<kind>[a-z]+):(?<id>[0-9]+)', name: raw, optional: true}
              - topic: tele/+d/STATE
                group: {job: t, device: '{d}'}
                replace: metrics
                metrics:
                  - {path: ENERGY.Power, name: power}
                  - {path: ENERGY.Current, name: current, optional: true, index_label: phase}
                  - {path: '*', key_match: 'POWER(?<channel>[0-9]*)', name: relay, values: {"ON": 1, "OFF": 0}, optional: true}
              - topic: stat/+d/+r
                where: {r: 'POWER(?<channel>[0-9]*)'}
                group: {job: t, device: '{d}', channel: '{channel}'}
                format: value
                metrics: [{values: {"ON": 1, "OFF": 0}}]
              - {topic_prefix: 'home/+n', topic: 'sensor/+s/state', group: {job: e, node: '{n}'}, format: value}
            """);

    private static MqttMappings mappings(String yaml) {
        try {
            Path file = Files.createTempFile("tidegate-fuzz-mappings", ".yml");
            Files.writeString(file, yaml);
            MqttMappings mappings = ConfigFile.load(file).mqttMappings();
            Files.delete(file);
            return mappings;
        } catch (IOException | ConfigException e) {
            throw new IllegalStateException(e);
        }
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        // a few keys, so that messages meet the groups earlier ones wrote
        Arbitrary<String> topic = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.of("metrics/job/a", "metrics/job/a/room/k", "metrics/job/b",
                        "metrics/job@base64/YQ", "metrics/job/a/temp_celsius", "metrics/job/a/room/k/temp_celsius",
                        "metrics/job/a/room/k/requests_total")),
                Tuple.of(1, KeyTexts.path(6).map(path -> "metrics/" + path)),
                Tuple.of(4, Arbitraries.of("zigbee2mqtt/a", "zigbee2mqtt/a/availability", "zigbee2mqtt/", "tele/a/SENSOR",
                        "shellies/a/relay/0/power", "shellies/a/relay/1/power", "shellies/a/online", "a/status/switch:0",
                        "a/status/sys", "legacy/a", "legacy/", "legacy/a/b", "every/a", "every/b", "a/events/rpc",
                        "tele/a/STATE", "stat/a/POWER", "stat/a/POWER2", "stat/a/RESULT", "home/a/sensor/t/state")),
                Tuple.of(1, KeyTexts.path(3).map(path -> "zigbee2mqtt/" + path)));
        Arbitrary<byte[]> payload = Arbitraries.frequencyOf(
                Tuple.of(4, ExpositionTexts.bodyBytes()),
                Tuple.of(3, ExpositionTexts.mutatedBodies()),
                Tuple.of(3, JsonTexts.objects().map(json -> json.getBytes(StandardCharsets.UTF_8))),
                Tuple.of(2, Arbitraries.of("{\"temperature\":21.5,\"state\":\"ON\",\"device\":{\"model\":\"x\"}}",
                        "{\"temperature\":null}", "{\"state\":\"toggle\"}", "{\"AM2301\":{\"Temperature\":1},\"B\":{\"Temperature\":2}}",
                        "{\"AM2301\":{\"Temperature\":\"x\"}}", "{\"state\":\"offline\"}", "offline", "online", "true", "false",
                        "ON", "\"on\"", "{\"apower\":[1]}", "{\"temperature\":{\"x\":1}}",
                        "{\"method\":\"NotifyStatus\",\"params\":{\"temperature:0\":{\"tC\":[1,null]},\"switch:1\":2}}",
                        "{\"method\":\"NotifyFullStatus\",\"params\":{\"temperature:0\":{\"tC\":21},\"input:0\":[true,\"x\"]}}",
                        "{\"method\":\"NotifyEvent\",\"params\":{}}", "{\"method\":[\"NotifyStatus\"]}",
                        "{\"ENERGY\":{\"Power\":[12,0],\"Current\":[0.1,{\"a\":1}]},\"POWER1\":\"ON\",\"POWER2\":\"x\"}",
                        "{\"ENERGY\":{\"Power\":[[1]],\"Current\":null},\"POWER\":[\"ON\"]}",
                        "{\"ENERGY\":{\"Power\":[]}}")
                        .map(text -> text.getBytes(StandardCharsets.UTF_8))),
                Tuple.of(2, JsonTexts.mutatedObjects()),
                Tuple.of(3, ExpositionTexts.value().map(v -> v.getBytes(StandardCharsets.UTF_8))),
                Tuple.of(1, Arbitraries.just(new byte[0])),
                Tuple.of(1, Arbitraries.of(Mutations.HOSTILE_BYTES)),
                Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(64)),
                Tuple.of(1, Arbitraries.just(new byte[(int) MAX_PAYLOAD_BYTES + 1])));
        Arbitrary<String> contentType = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.just((String) null)),
                Tuple.of(1, Arbitraries.of("text/plain", "text/plain; version=0.0.4", "text/plain; version=1.0.0",
                        "application/json", "application/json; charset=utf-16", "application/json;charset=\"UTF-8\"",
                        "application/octet-stream", "", " ", ";", "TEXT/PLAIN;charset=UTF-8", "text/plain;=",
                        "application/json\n", "text/plain\u0000")),
                Tuple.of(1, Arbitraries.strings().withChars(";=,\"\\ /*\ttexplaijsonv0.4q").ofMaxLength(32)));
        Arbitrary<Long> expiry = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.just((Long) null)),
                Tuple.of(1, Arbitraries.of(0L, 1L, 60L, -1L, 4_294_967_295L, Long.MAX_VALUE, Long.MIN_VALUE)));
        Arbitrary<String> ttl = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.just((String) null)),
                Tuple.of(1, Arbitraries.of("5m", "90", "0", "90s", "1h30m", "-1s", "1e9", "abc", "", " 5m",
                        "9999999999999999999h", "106751991167d", "NaN", "5m\n")),
                Tuple.of(1, Arbitraries.strings().withChars("0123456789.-+eEsmhdwyInf; ").ofMaxLength(24)));
        // properties beside ttl, which Tidegate reads none of: any key, any value, any number of them
        Arbitrary<Map<String, String>> otherProperties = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just(Map.<String, String>of())),
                Tuple.of(1, Arbitraries.maps(Arbitraries.of("TTL", "Ttl", "ttl ", "content-type", "x", "", "\u0000",
                        "expiry", "tidegate"), Arbitraries.strings().ofMaxLength(40)).ofMaxSize(4)));
        Arbitrary<Integer> seconds = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just(0)),
                Tuple.of(1, Arbitraries.integers().between(1, 900)));
        Arbitrary<Step> step = Combinators.combine(topic, payload, Arbitraries.of(true, false), expiry, contentType,
                ttl, otherProperties, seconds).as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(8);
    }
}
