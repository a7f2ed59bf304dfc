package io.tidegate.mqtt;

import io.tidegate.MosquittoBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The MQTT scenarios against Debian's Mosquitto 2, the broker most of Tidegate's users run, plus the one
 * only it can show here: a broker restarted with its state (retained messages and sessions) kept on disk.
 *
 * <p>The class's broker has no persistence: its restart loses Tidegate's session, subscriptions included,
 * so messages flow again only because Tidegate resubscribes.
 */
class MosquittoMqttIT extends MqttScenarios {
    private static MosquittoBroker shared;

    /** The broker of the current test: the class's, unless the test starts one of its own. */
    private MosquittoBroker broker = shared;

    @BeforeAll
    static void startMosquitto() {
        shared = new MosquittoBroker().start();
    }

    @AfterAll
    static void stopMosquitto() {
        shared.close();
    }

    @Override
    protected int brokerPort() {
        return broker.port();
    }

    @Override
    protected void restartBroker() {
        broker.restart();
    }

    /**
     * A device's retained messages outlive a restart of a Mosquitto with persistence, and so does
     * Tidegate's session with its subscriptions. Tidegate reconnects and resubscribes all the same (it
     * cannot know the broker kept them), and every SUBSCRIBE brings the retained copies again, also one
     * repeating a subscription the kept session has: MQTT 3.1.1 has no retain handling, and on MQTT 5
     * Tidegate asks for retain handling 0, so that a Tidegate restarted with an empty store gets the
     * retained values back ({@link TidegateRestartIT}). Both copies come back, and only Tidegate's memory
     * of what it applied keeps the expired group from coming back and the alive one's deadline from moving.
     * The TTLs are {@code #!set stale_timeout} lines, which 3.1.1 carries as well (it has no user properties).
     * A Tidegate restart is {@link TidegateRestartIT}'s.
     */
    @ParameterizedTest(name = "Tidegate on MQTT {0}: {1} copies redelivered")
    @CsvSource({"3.1.1, 2", "5, 2"})
    void afterARestartOfABrokerThatKeptItsStateRetainedCopiesNeitherReviveNorRefresh(String protocol, int copies) {
        broker = afterTidegate(new MosquittoBroker().withPersistence().start());
        startTidegate("--mqtt.protocol=" + protocol);
        String[] expiring = {"-m", "#!set stale_timeout = 2\nup 1"};
        String[] alive = {"-m", "#!set stale_timeout = 60\nup 1"};
        publishAliveAndExpiringRetained(expiring, alive);
        double aliveDeadline = sample("push_expiry_time_seconds", "alive");

        reconnectAndAwaitResubscription(this::restartBroker);

        assertRetainedCopiesSkipped(copies, aliveDeadline);
        assertTheSameMessagesPublishedLiveAreApplied(expiring, alive, aliveDeadline);
    }
}
