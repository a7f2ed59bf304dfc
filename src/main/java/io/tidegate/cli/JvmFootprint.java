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
 * ({@code jcmd System.trim_native_heap}).
 *
 * <p>Under the serial collector (the launcher's), whose heap grows under load and is given back only by a full
 * collection, a heap that was busy and went quiet is collected once and shrunk ({@link QuietHeap}): for that one
 * collection the heap may keep at most 30 % free space instead of 70 % (where the command line left those ratios
 * at their defaults), so a drained backlog or a burst of pushes does not leave the process at its peak size
 * while it idles. Under load nothing changes: the check only reads the collector's count.
 *
 * <p>Everything here changes only how much memory stays resident, never what Tidegate does.
 */
public final class JvmFootprint {
    private static final Logger log = LoggerFactory.getLogger(JvmFootprint.class);
    static final int SETTLE_SECONDS = 5;
    static final int TRIM_INTERVAL_SECONDS = 15;
    static final int QUIET_CHECK_SECONDS = 5;

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
        GarbageCollectorMXBean young = serialYoungCollector();
        Runnable collectShrinking = young == null ? System::gc : new ShrinkingCollection();
        trimmer.schedule(() -> {
            collectShrinking.run();
            trimNativeHeap();
        }, SETTLE_SECONDS, TimeUnit.SECONDS);
        trimmer.scheduleWithFixedDelay(JvmFootprint::trimNativeHeap, SETTLE_SECONDS + TRIM_INTERVAL_SECONDS,
                TRIM_INTERVAL_SECONDS, TimeUnit.SECONDS);
        if (young != null) {
            QuietHeap quiet = new QuietHeap();
            trimmer.scheduleWithFixedDelay(() -> {
                if (quiet.collectNow(young.getCollectionCount())) {
                    collectShrinking.run();
                    trimNativeHeap();
                }
            }, SETTLE_SECONDS + QUIET_CHECK_SECONDS, QUIET_CHECK_SECONDS, TimeUnit.SECONDS);
        }
    }

    /**
     * When a heap that was busy has gone quiet: read every {@link #QUIET_CHECK_SECONDS} seconds from the young
     * collector's count. Busy is at least {@link #BUSY_COLLECTIONS} young collections since the last shrink; quiet
     * is none since the previous reading. A heap under steady load never reads quiet, an idle one never reads busy,
     * so neither is collected over and over; a light load (a collection every few minutes) is collected once per
     * few of its collections.
     */
    static final class QuietHeap {
        static final int BUSY_COLLECTIONS = 2;
        private long previous = -1;
        private long atLastShrink;

        /** Whether to collect now, given the young collector's count read now. */
        boolean collectNow(long youngCollections) {
            if (previous < 0) {
                previous = youngCollections;
                atLastShrink = youngCollections;
                return false;
            }
            boolean quiet = youngCollections == previous;
            previous = youngCollections;
            if (quiet && youngCollections - atLastShrink >= BUSY_COLLECTIONS) {
                atLastShrink = youngCollections;
                return true;
            }
            return false;
        }
    }

    /**
     * A full collection after which the heap keeps at most 30 % free: the serial collector sizes its old
     * generation by Min/MaxHeapFreeRatio at a full collection (and its young one from the old), so they are
     * lowered for this one collection and put back to what they were when Tidegate started. Ratios the command
     * line set are left alone (the collection then only collects).
     */
    private static final class ShrinkingCollection implements Runnable {
        private final HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        private final String minBefore = defaultValue(hotspot, "MinHeapFreeRatio");
        private final String maxBefore = defaultValue(hotspot, "MaxHeapFreeRatio");

        @Override
        public void run() {
            boolean ours = minBefore != null && maxBefore != null;
            if (ours) { // Min first going down, Max first going up: the JVM refuses a Max below the current Min
                set(hotspot, "MinHeapFreeRatio", "5");
                set(hotspot, "MaxHeapFreeRatio", "10");
            }
            System.gc();
            if (ours) {
                set(hotspot, "MaxHeapFreeRatio", maxBefore);
                set(hotspot, "MinHeapFreeRatio", minBefore);
            }
        }
    }

    /** The value of an option the command line left alone, else null. */
    private static String defaultValue(HotSpotDiagnosticMXBean hotspot, String name) {
        try {
            VMOption option = hotspot.getVMOption(name);
            return isDefault(option) ? option.getValue() : null;
        } catch (IllegalArgumentException e) { // not this JVM's option
            return null;
        }
    }

    private static void set(HotSpotDiagnosticMXBean hotspot, String name, String value) {
        try {
            hotspot.setVMOption(name, value);
        } catch (IllegalArgumentException e) { // not this JVM's option, or a value it refuses: it stays as it was
            log.atDebug().addKeyValue("option", name).addKeyValue("err", e.getMessage()).log("JVM option not set");
        }
    }

    /** The serial collector's young collector ("Copy"), or null under another collector. */
    private static GarbageCollectorMXBean serialYoungCollector() {
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (collector.getName().equals("Copy")) {
                return collector;
            }
        }
        return null;
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
        if (defaultValue(hotspot, name) != null) {
            set(hotspot, name, value);
        }
    }

    private static boolean isDefault(VMOption option) {
        return option.getOrigin() == VMOption.Origin.DEFAULT || option.getOrigin() == VMOption.Origin.ERGONOMIC;
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
