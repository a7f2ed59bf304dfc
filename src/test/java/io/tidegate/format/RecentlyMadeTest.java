package io.tidegate.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RecentlyMadeTest {
    @Test
    void aValueIsMadeOnceWhileKept() {
        RecentlyMade<String, String> made = new RecentlyMade<>(10);
        AtomicInteger makings = new AtomicInteger();

        String first = made.get("temperature", key -> key + "_" + makings.incrementAndGet());
        String again = made.get("temperature", key -> key + "_" + makings.incrementAndGet());

        assertThat(first).isEqualTo("temperature_1").isSameAs(again);
        assertThat(makings).hasValue(1);
    }

    @Test
    void pastItsBoundEverythingIsForgottenAndMadeAgainWhenAsked() {
        RecentlyMade<Integer, String> made = new RecentlyMade<>(3);
        for (int i = 0; i < 3; i++) {
            made.put(i, "v" + i);
        }
        assertThat(made.size()).isEqualTo(3);

        made.put(3, "v3");

        assertThat(made.size()).isEqualTo(1);
        assertThat(made.get(0)).isNull();
        assertThat(made.get(3)).isEqualTo("v3");
        assertThat(made.get(0, key -> "again")).isEqualTo("again");
    }
}
