package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The threads that keep a JVM alive, for tests that must leave none behind: a client closed or a broker
 * stopped ends its threads a moment later (HiveMQ's {@code shutdown-log-executor} ends only after its
 * {@code close()} returned), and a later test counting threads (EmbeddedBrokerIT) would see them go.
 * Polls on the test's own thread, so Awaitility adds no poller thread of its own.
 */
final class NonDaemonThreads {
    private NonDaemonThreads() {}

    static Set<Thread> now() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && !t.isDaemon())
                .filter(t -> !t.getName().startsWith("awaitility")) // an earlier await's poller, ending by itself
                .collect(Collectors.toSet());
    }

    /** Waits, up to 20 s, until no non-daemon thread is alive but those of {@code before}. */
    static void awaitNoneBut(Set<Thread> before) {
        await("threads started since then end").pollInSameThread().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100)).untilAsserted(() -> assertThat(now().stream()
                        .filter(t -> !before.contains(t)).map(Thread::getName).sorted().toList())
                        .as("threads started since then that are still alive").isEmpty());
    }
}
