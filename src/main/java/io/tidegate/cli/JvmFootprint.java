package io.tidegate.cli;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JVM's memory defaults for a small server, set from inside because {@code java -jar tidegate.jar}
 * passes no JVM options: the JVM sizes its heap for the whole machine (a 64th of its memory at start, a
 * quarter at most) and keeps what it once used. Tidegate sets what the JVM lets a running program set (its
 * manageable options), each only where the command line left it at the JVM's default:
 * <ul>
 * <li>{@code MinHeapFreeRatio=10}, {@code MaxHeapFreeRatio=30}: after a collection the heap keeps at most
 * 30 % free space instead of 70 %;
 * <li>{@code G1PeriodicGCInterval=15000}: a server that did not collect for 15 s (idle) runs a concurrent
 * collection, which gives the unused heap back to the operating system;
 * </ul>
 * and, {@link #SETTLE_SECONDS} seconds after it is ready, collects once (what starting left behind);
 * from then on, every {@link #TRIM_INTERVAL_SECONDS} seconds, it gives the C library's free memory back
 * ({@code jcmd System.trim_native_heap}). Everything here changes only how much memory stays resident,
 * never what Tidegate does.
 */
public final class JvmFootprint {
    private static final Logger log = LoggerFactory.getLogger(JvmFootprint.class);
    static final int SETTLE_SECONDS = 5;
    static final int TRIM_INTERVAL_SECONDS = 15;

    private JvmFootprint() {}

    /** Sets the heap options; call first thing, before the heap grows. */
    public static void apply() {
        if (!usesG1()) {
            return; // the options below are G1's (the JVM's default); a chosen collector was chosen on purpose
        }
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        // Min first: the JVM refuses a MaxHeapFreeRatio below the current MinHeapFreeRatio
        setIfDefault(hotspot, "MinHeapFreeRatio", "10");
        setIfDefault(hotspot, "MaxHeapFreeRatio", "30");
        setIfDefault(hotspot, "G1PeriodicGCInterval", "15000");
    }

    /** Once ready: collects what starting left behind, then returns free native memory at a fixed interval. */
    public static void settle() {
        ScheduledExecutorService trimmer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "tidegate-footprint");
            thread.setDaemon(true);
            thread.setPriority(Thread.MIN_PRIORITY);
            return thread;
        });
        // a few seconds after ready: the compilers and the threads of starting have given their memory back by then
        trimmer.schedule(() -> {
            System.gc();
            trimNativeHeap();
        }, SETTLE_SECONDS, TimeUnit.SECONDS);
        trimmer.scheduleWithFixedDelay(JvmFootprint::trimNativeHeap, SETTLE_SECONDS + TRIM_INTERVAL_SECONDS,
                TRIM_INTERVAL_SECONDS, TimeUnit.SECONDS);
    }

    private static boolean usesG1() {
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (collector.getName().startsWith("G1 ")) {
                return true;
            }
        }
        return false;
    }

    private static void setIfDefault(HotSpotDiagnosticMXBean hotspot, String name, String value) {
        try {
            VMOption option = hotspot.getVMOption(name);
            if (option.getOrigin() == VMOption.Origin.DEFAULT || option.getOrigin() == VMOption.Origin.ERGONOMIC) {
                hotspot.setVMOption(name, value);
            }
        } catch (IllegalArgumentException e) { // not this JVM's option, or a value it refuses: its default stays
            log.atDebug().addKeyValue("option", name).addKeyValue("err", e.getMessage()).log("JVM option not set");
        }
    }

    private static void trimNativeHeap() {
        try {
            ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "systemTrimNativeHeap",
                    new Object[] {null}, new String[] {String[].class.getName()});
        } catch (Exception e) { // a JVM without the command (not glibc, or older): nothing to give back this way
            log.atDebug().addKeyValue("err", e.getMessage()).log("native heap not trimmed");
        }
    }
}
