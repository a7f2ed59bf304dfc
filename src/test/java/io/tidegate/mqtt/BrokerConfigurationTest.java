package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.configuration.ConfigurationBootstrap;
import com.hivemq.configuration.info.SystemInformationImpl;
import com.hivemq.configuration.service.FullConfigurationService;
import com.hivemq.configuration.service.MqttConfigurationService;
import com.hivemq.configuration.service.PersistenceConfigurationService.PersistenceMode;
import com.hivemq.configuration.service.entity.TcpListener;
import com.hivemq.mqtt.message.QoS;
import io.tidegate.format.HostPort;
import io.tidegate.mqtt.access.BrokerAccess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HiveMQ configures itself from what Tidegate offers in the process, through Tidegate's stand-in for its
 * {@code ConfigFileReader} and its own configurators: the listener, memory only, the queue, the packet and connection
 * bounds, no usage statistics, and HiveMQ's defaults for everything else.
 */
class BrokerConfigurationTest {
    @TempDir
    Path home;

    private FullConfigurationService bootstrap() throws IOException {
        Files.writeString(home.resolve("config.xml"), "<hivemq/>\n"); // HiveMQ logs an error without one
        return ConfigurationBootstrap.bootstrapConfig(new SystemInformationImpl(true, true, home.toFile(),
                home.resolve("data").toFile(), home.resolve("extensions").toFile()));
    }

    @Test
    void hiveMqTakesTheListenerTheBoundsAndMemoryOnlyFromTheConfigurationTidegateOffered() throws IOException {
        BrokerSettings settings = BrokerSettings.of(BrokerAccess.loopbackAnonymous(), 64 * 1024, 50);
        BrokerConfiguration.offer(home, BrokerConfiguration.of(new HostPort("127.0.0.1", 18830), settings),
                Clock.systemUTC());
        FullConfigurationService configuration;
        try {
            configuration = bootstrap();
        } finally {
            BrokerConfiguration.withdraw(home);
        }

        assertThat(configuration.listenerConfiguration().getListeners()).singleElement()
                .isInstanceOfSatisfying(TcpListener.class, listener -> {
                    assertThat(listener.getPort()).isEqualTo(18830);
                    assertThat(listener.getBindAddress()).isEqualTo("127.0.0.1");
                });
        MqttConfigurationService mqtt = configuration.mqttConfiguration();
        assertThat(mqtt.maxPacketSize()).isEqualTo(64 * 1024 + BrokerSettings.PACKET_OVERHEAD_BYTES);
        assertThat(mqtt.maxQueuedMessages()).isEqualTo(EmbeddedBroker.MAX_QUEUED_MESSAGES).isGreaterThan(1_000);
        assertThat(configuration.restrictionsConfiguration().maxConnections()).isEqualTo(50);
        assertThat(configuration.persistenceConfigurationService().getMode()).isEqualTo(PersistenceMode.IN_MEMORY);
        assertThat(configuration.usageStatisticsConfiguration().isEnabled()).isFalse();
        // what Tidegate leaves alone stays HiveMQ's default: MQTT 5 with retained messages and QoS 2
        assertThat(mqtt.retainedMessagesEnabled()).isTrue();
        assertThat(mqtt.maximumQos()).isEqualTo(QoS.EXACTLY_ONCE);
        assertThat(configuration.restrictionsConfiguration().maxTopicLength()).isEqualTo(65535);
    }

    @Test
    void withoutAConfigurationFromTidegateHiveMqDoesNotStartOnItsDefaults() {
        // HiveMQ's defaults: every address, port 1883, files on disk; not a broker Tidegate means to run
        assertThatThrownBy(this::bootstrap).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Tidegate offered no configuration for the embedded broker of " + home);
    }
}
