package io.tidegate.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetainedMemoryTest {
    private static Digest digest(String payload) {
        return Digest.of(payload.getBytes(StandardCharsets.UTF_8), null, null);
    }

    @Test
    void holdsOnlyTheLastDigestOfATopic() {
        RetainedMemory memory = new RetainedMemory(10);
        memory.remember("t", digest("1"));
        memory.remember("t", digest("2"));

        assertThat(memory.holds("t", digest("2"))).isTrue();
        assertThat(memory.holds("t", digest("1"))).isFalse();
        assertThat(memory.holds("other", digest("2"))).isFalse();
    }

    @Test
    void forgetsTheTopicUpdatedLeastRecentlyNotTheOneAskedLeastRecently() {
        RetainedMemory memory = new RetainedMemory(2);
        memory.remember("a", digest("1"));
        memory.remember("b", digest("1"));
        memory.holds("a", digest("1"));
        memory.remember("c", digest("1"));

        assertThat(memory.holds("a", digest("1"))).isFalse();
        assertThat(memory.entries()).extracting(RetainedMemory.Entry::topic).containsExactly("b", "c");
    }

    @Test
    void entriesRestoredInTheirOrderKeepTheEvictionOrder() {
        RetainedMemory memory = new RetainedMemory(3);
        memory.remember("a", digest("1"));
        memory.remember("b", digest("2"));
        memory.remember("a", digest("3"));
        RetainedMemory restored = new RetainedMemory(3);

        memory.entries().forEach(restored::restore);
        restored.remember("c", digest("4"));
        restored.remember("d", digest("5"));

        assertThat(restored.entries()).extracting(RetainedMemory.Entry::topic).containsExactly("a", "c", "d");
        assertThat(restored.holds("a", digest("3"))).isTrue();
    }

    @Test
    void entriesTheLogAbandonedAreUndoneAndThoseItKeptStay() {
        RetainedMemory memory = new RetainedMemory(10);
        long[] durable = {0};
        List<RetainedMemory.Entry> logged = new ArrayList<>();
        memory.journalTo(new RetainedMemory.Log() {
            @Override
            public long remembered(RetainedMemory.Entry entry) {
                logged.add(entry);
                return logged.size();
            }

            @Override
            public long durablePosition() {
                return durable[0];
            }
        });
        memory.remember("a", digest("1"));
        memory.remember("b", digest("1"));
        durable[0] = 2; // both on disk
        memory.remember("a", digest("2"));
        memory.remember("c", digest("1"));

        assertThat(memory.revertAbandoned(2)).isEqualTo(2);

        assertThat(memory.holds("a", digest("1"))).isTrue(); // back to what the log kept
        assertThat(memory.holds("a", digest("2"))).isFalse();
        assertThat(memory.holds("b", digest("1"))).isTrue();
        assertThat(memory.holds("c", digest("1"))).isFalse(); // never kept: unseen again
        assertThat(memory.size()).isEqualTo(2);
        assertThat(memory.revertAbandoned(2)).isZero();
        assertThat(logged).hasSize(4);
    }

    @Test
    void needsRoomForOneTopicAtLeast() {
        assertThatThrownBy(() -> new RetainedMemory(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new RetainedMemory(RetainedMemory.DEFAULT_CAPACITY).capacity()).isEqualTo(100_000);
    }

    @Test
    void digestsTellEveryPartApart() {
        byte[] payload = "x 1\n".getBytes(StandardCharsets.UTF_8);

        assertThat(Digest.of(payload, null, null)).isEqualTo(Digest.of(payload.clone(), null, null));
        assertThat(Digest.of(payload, null, null)).isNotEqualTo(Digest.of(payload, "", null));
        assertThat(Digest.of(payload, "a", null)).isNotEqualTo(Digest.of(payload, null, "a"));
        assertThat(Digest.of(new byte[0], "ab", null)).isNotEqualTo(Digest.of(new byte[0], "a", "b"));
        assertThat(Digest.of(payload, null, null).toString()).hasSize(32);
    }
}
