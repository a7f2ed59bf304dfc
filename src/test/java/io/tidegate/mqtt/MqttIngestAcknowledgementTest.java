package io.tidegate.mqtt;

import static io.tidegate.mqtt.Publish.live;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.store.Group;
import io.tidegate.key.GroupingKey;
import io.tidegate.store.WriteLog;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A message is acknowledged to the broker only once what it changed is on disk, without the
 * callback thread waiting for the disk; a message that changes nothing is acknowledged at once.
 */
class MqttIngestAcknowledgementTest {
    private final IngestFixture gateway = new IngestFixture();
    private final HeldBackLog disk = new HeldBackLog();

    MqttIngestAcknowledgementTest() {
        gateway.store.journalTo(disk);
    }

    @Test
    void anAppliedMessageIsAcknowledgedOnceItsWriteIsDurable() {
        AtomicInteger acknowledged = new AtomicInteger();

        gateway.ingest.onMessage(live("metrics/job/sensor", "temp 21\n").message(), acknowledged::incrementAndGet);

        assertThat(gateway.store.snapshot().groupCount()).isEqualTo(1);
        assertThat(acknowledged).hasValue(0);
        disk.sync();
        assertThat(acknowledged).hasValue(1);
    }

    @Test
    void anEmptyPayloadIsAcknowledgedOnceTheDeletionIsDurable() {
        gateway.ingest.onMessage(live("metrics/job/sensor", "temp 21\n").message(), () -> {});
        disk.sync();
        AtomicInteger acknowledged = new AtomicInteger();

        gateway.ingest.onMessage(live("metrics/job/sensor", "").message(), acknowledged::incrementAndGet);

        assertThat(acknowledged).hasValue(0);
        disk.sync();
        assertThat(acknowledged).hasValue(1);
    }

    @Test
    void aRejectedMessageIsAcknowledgedAtOnce() {
        AtomicInteger acknowledged = new AtomicInteger();

        gateway.ingest.onMessage(live("metrics/job/sensor/a/b/c", "temp 21\n").message(), acknowledged::incrementAndGet);

        assertThat(acknowledged).hasValue(1);
        assertThat(disk.waiting).isEmpty();
    }

    /** A disk that syncs only when the test says so. */
    private static final class HeldBackLog implements WriteLog {
        private long position;
        private final List<Runnable> waiting = new ArrayList<>();

        @Override
        public void written(Group group) {
            position++;
        }

        @Override
        public void deleted(GroupingKey key) {
            position++;
        }

        @Override
        public void wiped() {
            position++;
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public void awaitDurable(long position) {
            throw new AssertionError("the MQTT ingest must not wait for the disk");
        }

        @Override
        public void whenDurable(long position, Runnable then) {
            waiting.add(then);
        }

        void sync() {
            List<Runnable> due = new ArrayList<>(waiting);
            waiting.clear();
            due.forEach(Runnable::run);
        }
    }
}
