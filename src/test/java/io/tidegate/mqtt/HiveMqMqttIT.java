package io.tidegate.mqtt;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The MQTT scenarios against HiveMQ Community Edition, started by the test as an external broker on a
 * free port (the project's {@link EmbeddedBroker}, the same HiveMQ the jar embeds; it stands in for the
 * HiveMQ Testcontainers module, which cannot run here). Tidegate reaches it over TCP with
 * {@code --mqtt.url}, as any other broker.
 *
 * <p>The restart of a broker that kept its state is tested against Mosquitto only
 * ({@link MosquittoMqttIT}): this HiveMQ keeps retained messages and sessions in memory, and
 * {@link EmbeddedBroker} deletes its folder when it stops, so after a restart it has neither and can
 * redeliver nothing. Its restart here is that of a broker that lost everything, which Tidegate must
 * resubscribe to.
 */
class HiveMqMqttIT extends MqttScenarios {
    private static EmbeddedBroker hivemq;
    private static int port;

    @BeforeAll
    static void startHiveMq() {
        hivemq = EmbeddedBroker.start("127.0.0.1:0");
        port = hivemq.port();
    }

    @AfterAll
    static void stopHiveMq() {
        hivemq.close();
    }

    @Override
    protected int brokerPort() {
        return port;
    }

    @Override
    protected void restartBroker() {
        hivemq.close();
        hivemq = EmbeddedBroker.start("127.0.0.1:" + port);
    }
}
