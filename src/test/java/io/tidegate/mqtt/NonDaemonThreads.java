package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The threads that keep a JVM alive, for tests that must leave none behind: a client closed or a broker
 * stopped ends its threads a moment later (HiveMQ's {@code shutdown-log-executor} ends only after its
 * {@code close()} returned), and a later test counting threads (EmbeddedBrokerIT) would see them go.
 * Polls without Awaitility, whose own poller thread is one of them.
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
        List<String> started = List.of();
        for (int i = 0; i < 200; i++) {
            started = now().stream().filter(t -> !before.contains(t)).map(Thread::getName).sorted().toList();
            if (started.isEmpty()) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        assertThat(started).as("threads started since then that are still alive").isEmpty();
    }
}
