package io.tidegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** The memory defaults Tidegate sets in a running JVM: what `jcmd <pid> VM.flags` shows an operator. */
class JvmFootprintTest {
    private static final HotSpotDiagnosticMXBean HOTSPOT = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);

    @Test
    void underG1TheHeapKeepsLittleFreeSpaceAndAnIdleHeapIsCollectedEvery15Seconds() {
        boolean g1 = ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
                .anyMatch(name -> name.startsWith("G1 "));
        String maxFreeBefore = HOTSPOT.getVMOption("MaxHeapFreeRatio").getValue();

        JvmFootprint.apply();

        if (g1) {
            assertThat(HOTSPOT.getVMOption("MinHeapFreeRatio").getValue()).isEqualTo("10");
            assertThat(HOTSPOT.getVMOption("MaxHeapFreeRatio").getValue()).isEqualTo("30");
            assertThat(HOTSPOT.getVMOption("G1PeriodicGCInterval").getValue()).isEqualTo("15000");
        } else { // another collector was chosen on purpose: left alone
            assertThat(HOTSPOT.getVMOption("MaxHeapFreeRatio").getValue()).isEqualTo(maxFreeBefore);
        }
    }

    @Test
    void aHeapThatWasBusyIsCollectedOnceWhenItGoesQuiet() {
        JvmFootprint.QuietHeap heap = new JvmFootprint.QuietHeap();
        assertThat(heap.collectNow(100)).as("first reading: nothing to compare with").isFalse();
        assertThat(heap.collectNow(180)).as("busy").isFalse();
        assertThat(heap.collectNow(260)).as("still busy").isFalse();
        assertThat(heap.collectNow(260)).as("quiet after busy").isTrue();
        assertThat(heap.collectNow(260)).as("quiet again: already collected").isFalse();
        assertThat(heap.collectNow(260)).isFalse();
    }

    @Test
    void anIdleHeapIsNeverCollectedAndOneUnderSteadyLoadNeither() {
        JvmFootprint.QuietHeap idle = new JvmFootprint.QuietHeap();
        JvmFootprint.QuietHeap loaded = new JvmFootprint.QuietHeap();
        for (int reading = 0; reading < 100; reading++) {
            assertThat(idle.collectNow(7)).isFalse();
            assertThat(loaded.collectNow(7 + 50L * reading)).isFalse();
        }
    }

    @Test
    void aSingleCollectionIsNotBusy() {
        JvmFootprint.QuietHeap heap = new JvmFootprint.QuietHeap();
        heap.collectNow(0);
        assertThat(heap.collectNow(1)).isFalse();
        assertThat(heap.collectNow(1)).as("one collection since the start: a heap barely used").isFalse();
        assertThat(heap.collectNow(2)).isFalse();
        assertThat(heap.collectNow(2)).as("two since the start, then quiet: a light load, collected once").isTrue();
    }
}
