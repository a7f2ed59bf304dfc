package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The subscriber's stages: each runs its tasks in the order given, and what a stage's tasks hand on runs on the next
 * stage in that same order, in batches, none of it held back once the stage has nothing more to do.
 */
class InOrderWorkerTest {
    @Test
    void whatOneMessageHandsOnRunsAtOnceWhenNothingElseIsWaiting() {
        List<String> applied = new CopyOnWriteArrayList<>();
        try (InOrderWorker apply = new InOrderWorker("test-apply", 8);
                InOrderWorker read = new InOrderWorker("test-read", 128, apply, 16)) {
            read.execute(() -> read.handOn(() -> applied.add("only")));
            await().atMost(Duration.ofSeconds(5)).until(() -> applied.contains("only"));
        }
    }

    @Test
    void aBacklogIsHandedOnInBatchesInTheOrderItCame() throws InterruptedException {
        List<Integer> applied = new CopyOnWriteArrayList<>();
        CountDownLatch reading = new CountDownLatch(1);
        try (InOrderWorker apply = new InOrderWorker("test-apply", 8);
                InOrderWorker read = new InOrderWorker("test-read", 128, apply, 16)) {
            read.execute(() -> awaitQuietly(reading)); // the backlog queues behind this one
            for (int i = 0; i < 100; i++) {
                int message = i;
                read.execute(() -> read.handOn(() -> applied.add(message)));
            }
            reading.countDown();
            await().atMost(Duration.ofSeconds(5)).until(() -> applied.size() == 100);
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            expected.add(i);
        }
        assertThat(applied).containsExactlyElementsOf(expected);
    }

    @Test
    void closingRunsWhatWasHandedOnBeforeItEvenWhenTheBatchIsNotFull() {
        List<Integer> applied = new CopyOnWriteArrayList<>();
        CountDownLatch reading = new CountDownLatch(1);
        InOrderWorker apply = new InOrderWorker("test-apply", 8);
        InOrderWorker read = new InOrderWorker("test-read", 128, apply, 16);
        read.execute(() -> awaitQuietly(reading));
        for (int i = 0; i < 5; i++) {
            int message = i;
            read.execute(() -> read.handOn(() -> applied.add(message)));
        }
        Thread closing = new Thread(() -> {
            read.close(); // the reads, then what they handed on; as PahoSubscriber closes its stages
            apply.close();
        });
        closing.start();
        reading.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> !closing.isAlive());
        assertThat(applied).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void onlyTheStagesOwnTasksHandOn() {
        try (InOrderWorker apply = new InOrderWorker("test-apply", 8);
                InOrderWorker read = new InOrderWorker("test-read", 128, apply, 16)) {
            assertThatThrownBy(() -> read.handOn(() -> { })).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> apply.handOn(() -> { })).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("last stage");
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
