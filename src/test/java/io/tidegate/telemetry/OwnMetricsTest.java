package io.tidegate.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.format.MetricFamily;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Tidegate's own families on a scrape: its counters as they are now, the JVM's as read within the last second. */
class OwnMetricsTest {
    private final AtomicLong nanos = new AtomicLong(5_000_000_000L);
    private final OwnMetrics metrics = new OwnMetrics(nanos::get);

    @Test
    void jvmMetricsAreReadAtMostOnceASecondWhileTidegatesOwnAreCurrentOnEveryScrape() {
        List<MetricFamily> first = metrics.families();
        MetricFamily threads = family(first, "jvm_threads_current");
        assertThat(threads.metrics()).singleElement().satisfies(m -> assertThat(m.value()).isPositive());
        assertThat(family(first, "process_cpu_seconds_total")).isNotNull();

        metrics.countRequest("push", 200, "PUT");
        nanos.addAndGet(OwnMetrics.JVM_READING_NANOS - 1);
        List<MetricFamily> second = metrics.families();
        assertThat(family(second, "jvm_threads_current")).isSameAs(threads); // the same reading
        assertThat(family(second, "pushgateway_http_requests_total").metrics())
                .singleElement().satisfies(m -> assertThat(m.value()).isEqualTo(1)); // counted at once

        nanos.addAndGet(1);
        assertThat(family(metrics.families(), "jvm_threads_current")).isNotSameAs(threads); // read again
    }

    @Test
    void theJvmFamiliesComeFirstAndEachNameOnce() {
        List<MetricFamily> families = metrics.families();
        assertThat(families.get(0).name()).startsWith("jvm_");
        assertThat(families).extracting(MetricFamily::name).doesNotHaveDuplicates();
    }

    private static MetricFamily family(List<MetricFamily> families, String name) {
        return families.stream().filter(f -> f.name().equals(name)).findFirst().orElse(null);
    }
}
