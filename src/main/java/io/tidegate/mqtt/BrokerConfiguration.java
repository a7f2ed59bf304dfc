package io.tidegate.mqtt;

import com.hivemq.configuration.entity.HiveMQConfigEntity;
import com.hivemq.configuration.entity.MqttConfigEntity;
import com.hivemq.configuration.entity.PersistenceEntity;
import com.hivemq.configuration.entity.RestrictionsEntity;
import com.hivemq.configuration.entity.UsageStatisticsEntity;
import com.hivemq.configuration.entity.listener.ListenerEntity;
import com.hivemq.configuration.entity.listener.TCPListenerEntity;
import com.hivemq.configuration.entity.mqtt.PacketsConfigEntity;
import com.hivemq.configuration.entity.mqtt.QueuedMessagesConfigEntity;
import io.tidegate.format.HostPort;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The embedded broker's configuration as HiveMQ's own configuration objects, handed to HiveMQ in the process instead of
 * written to a {@code config.xml} for it to read. HiveMQ read that file with JAXB, which loaded about 570 classes of
 * JAXB and the JDK's XML parser into every Tidegate with the embedded broker, and took about 180 ms of each start
 * (README, "Performance"). Tidegate's stand-in for HiveMQ's {@code ConfigFileReader} takes the objects offered here for
 * its configuration folder and gives them to HiveMQ's configurators, which check and apply them as they would the
 * file's.
 *
 * <p>What Tidegate sets: one TCP listener on the listen address, everything in memory, the queue per client
 * ({@link EmbeddedBroker#MAX_QUEUED_MESSAGES}), the largest packet and the most connections ({@link BrokerSettings}),
 * no usage statistics. Everything else is HiveMQ's default, as an element left out of the file was.
 */
public final class BrokerConfiguration {
    /** What Tidegate offers one HiveMQ: its configuration, and the clock its start time is read from. */
    private record Offer(HiveMQConfigEntity configuration, Clock clock) {}

    private static final Map<Path, Offer> offered = new ConcurrentHashMap<>();

    private BrokerConfiguration() {}

    /** The configuration of a broker listening on {@code address} that bounds its clients as {@code settings} say. */
    static HiveMQConfigEntity of(HostPort address, BrokerSettings settings) {
        TCPListenerEntity listener = new TCPListenerEntity() {
            @Override
            public int getPort() {
                return address.port();
            }

            @Override
            public String getBindAddress() {
                return address.host();
            }
        };
        QueuedMessagesConfigEntity queue = new QueuedMessagesConfigEntity() {
            @Override
            public long getMaxQueueSize() {
                return EmbeddedBroker.MAX_QUEUED_MESSAGES;
            }
        };
        PacketsConfigEntity packets = new PacketsConfigEntity() {
            @Override
            public int getMaxPacketSize() {
                return settings.maxPacketBytes();
            }
        };
        MqttConfigEntity mqtt = new MqttConfigEntity() {
            @Override
            public QueuedMessagesConfigEntity getQueuedMessagesConfigEntity() {
                return queue;
            }

            @Override
            public PacketsConfigEntity getPacketsConfigEntity() {
                return packets;
            }
        };
        RestrictionsEntity restrictions = new RestrictionsEntity() {
            @Override
            public long getMaxConnections() {
                return settings.maxConnections();
            }
        };
        PersistenceEntity persistence = new PersistenceEntity() {
            @Override
            public PersistenceMode getMode() {
                return PersistenceMode.IN_MEMORY;
            }
        };
        UsageStatisticsEntity usageStatistics = new UsageStatisticsEntity() {
            @Override
            public boolean isEnabled() {
                return false;
            }
        };
        return new HiveMQConfigEntity() {
            @Override
            public List<ListenerEntity> getListenerConfig() {
                return List.of(listener);
            }

            @Override
            public MqttConfigEntity getMqttConfig() {
                return mqtt;
            }

            @Override
            public RestrictionsEntity getRestrictionsConfig() {
                return restrictions;
            }

            @Override
            public PersistenceEntity getPersistenceConfig() {
                return persistence;
            }

            @Override
            public UsageStatisticsEntity getUsageStatisticsConfig() {
                return usageStatistics;
            }
        };
    }

    /**
     * Offers {@code configuration}, and {@code clock} for the time it starts, to the HiveMQ whose configuration folder
     * is {@code folder}, until withdrawn.
     */
    static void offer(Path folder, HiveMQConfigEntity configuration, Clock clock) {
        offered.put(key(folder), new Offer(configuration, clock));
    }

    static void withdraw(Path folder) {
        offered.remove(key(folder));
    }

    /** For HiveMQ's {@code ConfigFileReader}: the configuration offered to the HiveMQ of this configuration folder. */
    public static Optional<HiveMQConfigEntity> offeredFor(Path folder) {
        return Optional.ofNullable(offered.get(key(folder))).map(Offer::configuration);
    }

    /** For HiveMQ's {@code SystemInformationImpl}: the clock offered to the HiveMQ of this configuration folder. */
    public static Optional<Clock> clockFor(Path folder) {
        return Optional.ofNullable(offered.get(key(folder))).map(Offer::clock);
    }

    private static Path key(Path folder) {
        return folder.toAbsolutePath().normalize();
    }
}
