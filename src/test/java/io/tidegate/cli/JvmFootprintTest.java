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
}
