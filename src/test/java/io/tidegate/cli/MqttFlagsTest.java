package io.tidegate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidegate.config.ConfigException;
import io.tidegate.mqtt.BrokerSettings;
import io.tidegate.mqtt.MqttSettings;
import io.tidegate.mqtt.discovery.HomeAssistantDiscovery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MqttFlagsTest {
    @TempDir
    Path dir;

    private static Optional<MqttSettings> from(String... args) throws ConfigException {
        Flags flags = new Flags();
        Flags.commandLine(flags).parseArgs(args);
        return MqttFlags.settings(flags);
    }

    @Test
    void defaultsSubscribeToMetricsJobAndAnnounceOnTheStatusTopicOfTheEmbeddedBroker() throws ConfigException {
        MqttSettings settings = from().orElseThrow();

        assertThat(settings.embedded()).isTrue();
        assertThat(settings.topicFilters()).containsExactly("metrics/job/#", "metrics/job@base64/#");
        assertThat(settings.statusTopic()).isEqualTo("metrics/tidegate/status");
        assertThat(settings.clientId()).startsWith("tidegate-").isEqualTo(from().orElseThrow().clientId());
        assertThat(settings.password()).isNull();
        assertThat(settings.keepAliveSeconds()).isEqualTo(30);
    }

    @Test
    void theKeepAliveIsWholeSecondsUpToMqttsLimit() throws ConfigException {
        assertThat(from("--mqtt.keep-alive=1m").orElseThrow().keepAliveSeconds()).isEqualTo(60);
        assertThat(from("--mqtt.keep-alive=1s").orElseThrow().keepAliveSeconds()).isEqualTo(1);
        assertThat(from("--mqtt.keep-alive=65535").orElseThrow().keepAliveSeconds()).isEqualTo(65535);
    }

    @Test
    void aKeepAliveMqttCannotCarryIsAStartupErrorNamingTheFlag() {
        for (String keepAlive : new String[] {"0s", "1500ms", "65536s", "1d"}) {
            assertThatThrownBy(() -> from("--mqtt.keep-alive=" + keepAlive)).as(keepAlive)
                    .isInstanceOf(ConfigException.class).hasMessageStartingWith("invalid --mqtt.keep-alive")
                    .hasMessageContaining("at most 65535s");
        }
    }

    @Test
    void theTopicPrefixMovesFilterAndStatusTopic() throws ConfigException {
        MqttSettings settings = from("--mqtt.topic-prefix=site1/metrics").orElseThrow();

        assertThat(settings.topicFilters()).containsExactly("site1/metrics/job/#", "site1/metrics/job@base64/#");
        assertThat(settings.statusTopic()).isEqualTo("site1/metrics/tidegate/status");
        assertThat(from("--mqtt.status-topic=gateways/tidegate").orElseThrow().statusTopic()).isEqualTo("gateways/tidegate");
    }

    @Test
    void topicsReplaceTheSubscriptionWithAShardsFilters() throws ConfigException {
        assertThat(from("--mqtt.topics=metrics/job/site-a/#,metrics/job/+/site/b/#", "--mqtt.topics=metrics/job/x")
                .orElseThrow().topicFilters())
                .containsExactly("metrics/job/site-a/#", "metrics/job/+/site/b/#", "metrics/job/x");
    }

    @Test
    void everyReplicaSubscribesToTheGroupStatesFirstAndToTheWipeTopicWhateverShareOfTheGroupsItTakes()
            throws ConfigException {
        assertThat(from("--mqtt.replicate").orElseThrow().topicFilters()).containsExactly(
                "metrics/tidegate/state/#", "metrics/job/#", "metrics/job@base64/#", "metrics/tidegate/wipe");
        assertThat(from("--mqtt.replicate", "--mqtt.topics=metrics/job/site-a/#", "--mqtt.topic-prefix=metrics/")
                .orElseThrow().topicFilters()).containsExactly("metrics/tidegate/state/#", "metrics/job/site-a/#",
                "metrics/tidegate/wipe");
        assertThat(from("--mqtt.replicate", "--mqtt.topic-prefix=site1/m").orElseThrow().topicFilters())
                .startsWith("site1/m/tidegate/state/#");
        assertThat(from().orElseThrow().topicFilters()).as("no states without --mqtt.replicate")
                .containsExactly("metrics/job/#", "metrics/job@base64/#");
    }

    @Test
    void aTopicFilterThatIsInvalidOrOutsideThePrefixIsAStartupErrorNamingIt() {
        assertThatThrownBy(() -> from("--mqtt.topics=metrics/job/a#")).isInstanceOf(ConfigException.class)
                .hasMessage("--mqtt.topics: invalid topic filter \"metrics/job/a#\": # must be a whole level, and the last one");
        assertThatThrownBy(() -> from("--mqtt.topics=metrics/job/#/x")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("metrics/job/#/x");
        assertThatThrownBy(() -> from("--mqtt.topics=metrics/job/si+te/#")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("+ must be a whole level");
        assertThatThrownBy(() -> from("--mqtt.topics=#")).isInstanceOf(ConfigException.class)
                .hasMessage("invalid --mqtt.topics filter \"#\": it must lie under --mqtt.topic-prefix \"metrics\" "
                        + "(start with metrics/)");
        assertThatThrownBy(() -> from("--mqtt.topics=devices/job/a/#")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("devices/job/a/#");
        assertThatThrownBy(() -> from("--mqtt.topics=metrics/job/a/#, ,metrics/job/b/#")).isInstanceOf(ConfigException.class)
                .hasMessage("--mqtt.topics: empty topic filter");
    }

    @Test
    void replicationNeedsMqtt5AndMqtt() {
        assertThatThrownBy(() -> from("--mqtt.replicate", "--mqtt.protocol=3.1.1")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("--mqtt.replicate needs MQTT 5");
        assertThatThrownBy(() -> from("--mqtt.replicate", "--no-mqtt.embedded")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("--mqtt.replicate needs MQTT");
    }

    @Test
    void mqttIsOffWithoutABrokerUrlWhenTheEmbeddedBrokerIsOff() throws ConfigException {
        assertThat(from("--no-mqtt.embedded")).isEmpty();
        assertThat(from("--no-mqtt.embedded", "--mqtt.url=tcp://broker:1883")).isPresent();
    }

    @Test
    void thePasswordFileLosesItsTrailingNewlineOnly() throws Exception {
        Path file = dir.resolve("password");
        Files.writeString(file, " pass word \n");

        assertThat(from("--mqtt.url=tcp://broker:1883", "--mqtt.password-file=" + file).orElseThrow().password())
                .isEqualTo(" pass word ".toCharArray());
    }

    @Test
    void badValuesAndUnreadableFilesAreClearErrors() throws Exception {
        Path missing = dir.resolve("missing.pem");
        assertThatThrownBy(() -> from("--mqtt.url=broker:1883")).isInstanceOf(ConfigException.class)
                .hasMessage("invalid --mqtt.url \"broker:1883\": expected tcp://host:port or ssl://host:port");
        assertThatThrownBy(() -> from("--mqtt.url=http://broker:1883")).hasMessageContaining("invalid --mqtt.url");
        assertThatThrownBy(() -> from("--mqtt.password-file=" + missing))
                .hasMessage("cannot read --mqtt.password-file " + missing + ": no such file");
        assertThatThrownBy(() -> from("--mqtt.url=ssl://broker:8883", "--mqtt.ca-file=" + missing))
                .hasMessage("cannot read --mqtt.ca-file " + missing + ": no such file");
        assertThatThrownBy(() -> from("--mqtt.url=tcp://broker:1883", "--mqtt.ca-file=" + missing))
                .hasMessageContaining("need an ssl:// --mqtt.url");
        assertThatThrownBy(() -> from("--mqtt.url=ssl://broker:8883", "--mqtt.cert-file=" + missing))
                .hasMessageContaining("give both or neither");
        assertThatThrownBy(() -> from("--mqtt.topic-prefix=metrics/+")).hasMessageContaining("without + or #");
        assertThatThrownBy(() -> from("--mqtt.listen-address=1883")).hasMessageContaining("--mqtt.listen-address");
    }

    @Test
    void aCaFileThatHoldsNoCertificateIsNamed() throws Exception {
        Path certificate = dir.resolve("not-a-cert.pem");
        Files.writeString(certificate, "hello\n");

        assertThatThrownBy(() -> from("--mqtt.url=ssl://broker:8883", "--mqtt.ca-file=" + certificate))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--mqtt.ca-file " + certificate);
    }

    @Test
    void theEmbeddedBrokerReadsItsPasswordFileAndAclAtStartAndBoundsPacketsByThePayloadLimit() throws Exception {
        MqttSettings settings = from("--mqtt.embedded.password-file=mosquitto/passwd",
                "--mqtt.embedded.acl-file=mosquitto/acl", "--mqtt.max-payload-size=64KiB",
                "--mqtt.embedded.max-connections=50").orElseThrow();

        BrokerSettings broker = settings.broker();
        assertThat(broker.access().users()).isEqualTo(51);
        assertThat(broker.access().hasAcl()).isTrue();
        assertThat(broker.access().allowsAnonymous()).isFalse();
        assertThat(broker.maxPacketBytes()).isEqualTo(64 * 1024 + 128 * 1024);
        assertThat(broker.maxConnections()).isEqualTo(50);
        assertThat(from().orElseThrow().broker().maxPacketBytes()).isEqualTo(1024 * 1024 + 128 * 1024);
        assertThat(from("--mqtt.max-payload-size=1GiB").orElseThrow().broker().maxPacketBytes())
                .as("MQTT's own limit").isEqualTo(268_435_460);
    }

    @Test
    void aBrokenPasswordFileOrAclStopsTheStartNamingFlagFileAndLine() throws Exception {
        Path passwd = dir.resolve("passwd");
        Files.writeString(passwd, "# devices\nprobe-01:plain\n");
        Path acl = dir.resolve("acl");
        Files.writeString(acl, "user probe-01\ntopic wirte metrics/#\n");

        assertThatThrownBy(() -> from("--mqtt.embedded.password-file=" + passwd)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("invalid --mqtt.embedded.password-file: " + passwd + " line 2: user "
                        + "\"probe-01\": not a password hash mosquitto_passwd writes");
        assertThatThrownBy(() -> from("--mqtt.embedded.acl-file=" + acl)).isInstanceOf(ConfigException.class)
                .hasMessage("invalid --mqtt.embedded.acl-file: " + acl + " line 2: unknown access \"wirte\" "
                        + "(expected read, write, readwrite or deny)");
        assertThatThrownBy(() -> from("--mqtt.embedded.acl-file=" + dir.resolve("missing")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid --mqtt.embedded.acl-file: " + dir.resolve("missing") + ": no such file");
    }

    @Test
    void theEmbeddedBrokersAccessFlagsWithoutTheEmbeddedBrokerAreAnError() {
        assertThatThrownBy(() -> from("--mqtt.url=tcp://broker:1883", "--mqtt.embedded.acl-file=mosquitto/acl"))
                .isInstanceOf(ConfigException.class).hasMessage("--mqtt.embedded.acl-file is for the embedded broker, "
                        + "but with --mqtt.url Tidegate runs no broker (set up users and ACL on tcp://broker:1883)");
        assertThatThrownBy(() -> from("--no-mqtt.embedded", "--mqtt.embedded.allow-anonymous"))
                .isInstanceOf(ConfigException.class).hasMessage("--mqtt.embedded.allow-anonymous is for the embedded "
                        + "broker, but --no-mqtt.embedded turns the embedded broker off");
        assertThatThrownBy(() -> from("--mqtt.embedded.max-connections=0")).isInstanceOf(ConfigException.class)
                .hasMessage("invalid --mqtt.embedded.max-connections 0: at least 1");
    }

    @Test
    void anExternalBrokerHasNoBrokerSettings() throws ConfigException {
        assertThat(from("--mqtt.url=tcp://broker:1883").orElseThrow().broker()).isNull();
    }

    private static Optional<HomeAssistantDiscovery> discovery(String... args) throws ConfigException {
        Flags flags = new Flags();
        Flags.commandLine(flags).parseArgs(args);
        return MqttFlags.discovery(flags);
    }

    @Test
    void discoveryIsOffByDefaultAndTakesItsPrefix() throws ConfigException {
        assertThat(discovery()).isEmpty();
        assertThat(discovery("--mqtt.discovery=off")).isEmpty();
        assertThat(discovery("--mqtt.discovery=homeassistant").orElseThrow().prefix()).isEqualTo("homeassistant");
        assertThat(discovery("--mqtt.discovery=homeassistant", "--mqtt.discovery.prefix=ha").orElseThrow()
                .topicFilters()).containsExactly("ha/+/+/config", "ha/+/+/+/config");
    }

    @Test
    void discoveryRefusesAnUnknownKindAPrefixOverlappingTidegatesOwnAndNoMqtt() {
        assertThatThrownBy(() -> discovery("--mqtt.discovery=openhab"))
                .hasMessageContaining("invalid --mqtt.discovery \"openhab\" (one of: off, homeassistant)");
        assertThatThrownBy(() -> discovery("--mqtt.discovery=homeassistant", "--mqtt.discovery.prefix=metrics"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("overlaps --mqtt.topic-prefix");
        assertThatThrownBy(() -> discovery("--mqtt.discovery=homeassistant", "--mqtt.discovery.prefix=ha/#"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("invalid --mqtt.discovery.prefix");
        assertThatThrownBy(() -> discovery("--mqtt.discovery=homeassistant", "--no-mqtt.embedded"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("needs MQTT");
    }
}
