package io.tidegate.telemetry;

import io.prometheus.metrics.core.datapoints.Timer;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Summary;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import io.tidegate.format.Bucket;
import io.tidegate.format.Label;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.MetricType;
import io.tidegate.format.Quantile;
import io.tidegate.store.Store;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Tidegate's own metrics: JVM and process, HTTP requests (under upstream's names, so existing
 * dashboards keep working), push and scrape durations, what the store holds, and what others
 * {@link #register} (MQTT ingest). They are kept
 * with the official client library and handed to scrapes as plain families, so the same writers
 * encode them and they merge by name with pushed families exactly as upstream merges its own.
 */
public final class OwnMetrics {
    /**
     * How long the JVM and process metrics read once serve scrapes: reading them (the threads' states,
     * {@code /proc/self/status}, the memory pools) took about a sixth of a scrape of 100,000 series in a JFR
     * profile, and they are point-in-time gauges a scraper reads every 15 s or so.
     */
    static final long JVM_READING_NANOS = 1_000_000_000L;

    private final PrometheusRegistry jvm = new PrometheusRegistry();
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final LongSupplier nanoTime;
    private volatile JvmReading jvmReading;
    private final Counter httpRequests;
    private final Summary pushDuration;
    private final Summary pushSize;
    private final Summary scrapeDuration;
    private volatile Map<String, MetricType> typesByName = Map.of();

    private record JvmReading(List<MetricFamily> families, long readAtNanos) {}

    public OwnMetrics() {
        this(System::nanoTime);
    }

    /** With the clock the JVM metrics' reading ages by ({@link #JVM_READING_NANOS}). */
    OwnMetrics(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        JvmMetrics.builder().register(jvm);
        httpRequests = Counter.builder()
                .name("pushgateway_http_requests_total")
                .help("Total HTTP requests processed by the Pushgateway, excluding scrapes.")
                .labelNames("code", "handler", "method")
                .register(registry);
        pushDuration = Summary.builder()
                .name("pushgateway_http_push_duration_seconds")
                .help("HTTP request duration for pushes to the Pushgateway.")
                .quantile(0.1, 0.01).quantile(0.5, 0.05).quantile(0.9, 0.01)
                .labelNames("method")
                .register(registry);
        pushSize = Summary.builder()
                .name("pushgateway_http_push_size_bytes")
                .help("HTTP request size for pushes to the Pushgateway.")
                .quantile(0.1, 0.01).quantile(0.5, 0.05).quantile(0.9, 0.01)
                .labelNames("method")
                .register(registry);
        scrapeDuration = Summary.builder()
                .name("tidegate_scrape_duration_seconds")
                .help("Time taken to answer a scrape of the telemetry path.")
                .quantile(0.5, 0.05).quantile(0.9, 0.01).quantile(0.99, 0.001)
                .register(registry);
    }

    /** Adds the gauges that read the store; called once the store exists. */
    public void watch(Store store) {
        gauge("tidegate_groups", "Groups currently held.", () -> store.snapshot().groupCount());
        gauge("tidegate_series", "Series currently held, push time gauges included.", () -> store.snapshot().seriesCount());
        long seriesLimit = store.limits().maxStoredSeries();
        gauge("tidegate_series_limit", "Most series held (--store.max-series), push time gauges included; 0 for no limit.",
                () -> seriesLimit);
        gauge("tidegate_heap_held_bytes", "Heap the groups held take, as estimated for --store.max-bytes, "
                + "renderings for scrapes included.", store::heapBytes);
        long bytesLimit = store.limits().maxStoredBytes();
        gauge("tidegate_heap_held_limit_bytes", "Most heap the groups held may take (--store.max-bytes); 0 for no limit.",
                () -> bytesLimit);
        CounterWithCallback.builder()
                .name("tidegate_expired_groups_total")
                .help("Groups removed because all their families passed their deadlines.")
                .callback(callback -> callback.call(store.snapshot().expiredGroups()))
                .register(registry);
        CounterWithCallback.builder()
                .name("tidegate_expired_families_total")
                .help("Pushed families removed because they passed their deadlines.")
                .callback(callback -> callback.call(store.snapshot().expiredFamilies()))
                .register(registry);
        rememberTypes();
    }

    /**
     * Adds metrics that another part of Tidegate keeps (the MQTT ingest's), so scrapes show them
     * and pushes cannot give their names another type.
     */
    public void register(Collector... collectors) {
        for (Collector collector : collectors) {
            registry.register(collector);
        }
        rememberTypes();
    }

    private void rememberTypes() {
        Map<String, MetricType> types = new HashMap<>();
        for (MetricFamily family : families()) {
            types.put(family.name(), family.type());
        }
        typesByName = Map.copyOf(types);
    }

    private void gauge(String name, String help, Supplier<Number> value) {
        GaugeWithCallback.builder()
                .name(name)
                .help(help)
                .callback(callback -> callback.call(value.get().doubleValue()))
                .register(registry);
    }

    /** The type of our own family of that name, or null: a push may join it only with that type. */
    public MetricType typeOf(String familyName) {
        return typesByName.get(familyName);
    }

    public void countRequest(String handler, int code, String method) {
        httpRequests.labelValues(Integer.toString(code), handler, method.toLowerCase()).inc();
    }

    /** Times a push from now until the returned timer is closed. */
    public Timer timePush(String method) {
        return pushDuration.labelValues(method.toLowerCase()).startTimer();
    }

    public void observePushSize(String method, long bytes) {
        pushSize.labelValues(method.toLowerCase()).observe(bytes);
    }

    /** Times a scrape from now until the returned timer is closed. */
    public Timer timeScrape() {
        return scrapeDuration.startTimer();
    }

    /**
     * A snapshot of our own metrics as families, as a scrape in any format needs them: the JVM and process
     * metrics as read at most {@link #JVM_READING_NANOS} ago, then Tidegate's own as they are now.
     */
    public List<MetricFamily> families() {
        List<MetricFamily> families = new ArrayList<>(jvmFamilies());
        addFamilies(registry, families);
        return families;
    }

    private List<MetricFamily> jvmFamilies() {
        long now = nanoTime.getAsLong();
        JvmReading reading = jvmReading;
        if (reading == null || now - reading.readAtNanos() >= JVM_READING_NANOS) {
            List<MetricFamily> families = new ArrayList<>();
            addFamilies(jvm, families);
            reading = new JvmReading(List.copyOf(families), now);
            jvmReading = reading;
        }
        return reading.families();
    }

    private static void addFamilies(PrometheusRegistry from, List<MetricFamily> to) {
        for (MetricSnapshot snapshot : from.scrape()) {
            MetricFamily family = toFamily(snapshot);
            if (family != null) {
                to.add(family);
            }
        }
    }

    private static MetricFamily toFamily(MetricSnapshot snapshot) {
        String name = snapshot.getMetadata().getPrometheusName();
        String help = snapshot.getMetadata().getHelp();
        List<Metric> metrics = new ArrayList<>();
        if (snapshot instanceof CounterSnapshot counter) {
            counter.getDataPoints().forEach(p -> metrics.add(Metric.simple(labels(p), p.getValue(), null)));
            return new MetricFamily(name + "_total", help, MetricType.COUNTER, metrics);
        }
        if (snapshot instanceof GaugeSnapshot gauge) {
            gauge.getDataPoints().forEach(p -> metrics.add(Metric.simple(labels(p), p.getValue(), null)));
            return new MetricFamily(name, help, MetricType.GAUGE, metrics);
        }
        if (snapshot instanceof UnknownSnapshot unknown) {
            unknown.getDataPoints().forEach(p -> metrics.add(Metric.simple(labels(p), p.getValue(), null)));
            return new MetricFamily(name, help, MetricType.UNTYPED, metrics);
        }
        if (snapshot instanceof InfoSnapshot info) {
            info.getDataPoints().forEach(p -> metrics.add(Metric.simple(labels(p), 1, null)));
            return new MetricFamily(name + "_info", help, MetricType.GAUGE, metrics);
        }
        if (snapshot instanceof StateSetSnapshot stateSet) {
            for (var point : stateSet.getDataPoints()) {
                for (int i = 0; i < point.size(); i++) {
                    List<Label> labels = new ArrayList<>(labels(point));
                    labels.add(new Label(name, point.getName(i)));
                    metrics.add(Metric.simple(labels, point.isTrue(i) ? 1 : 0, null));
                }
            }
            return new MetricFamily(name, help, MetricType.GAUGE, metrics);
        }
        if (snapshot instanceof SummarySnapshot summary) {
            for (var point : summary.getDataPoints()) {
                List<Quantile> quantiles = new ArrayList<>();
                point.getQuantiles().forEach(q -> quantiles.add(new Quantile(q.getQuantile(), q.getValue())));
                metrics.add(Metric.summary(labels(point), point.getCount(), point.getSum(), quantiles, null));
            }
            return new MetricFamily(name, help, MetricType.SUMMARY, metrics);
        }
        if (snapshot instanceof HistogramSnapshot histogram) {
            for (var point : histogram.getDataPoints()) {
                ClassicHistogramBuckets classic = point.getClassicBuckets();
                List<Bucket> buckets = new ArrayList<>();
                long cumulative = 0;
                for (int i = 0; i < classic.size(); i++) {
                    cumulative += classic.getCount(i);
                    buckets.add(new Bucket(classic.getUpperBound(i), cumulative));
                }
                metrics.add(Metric.histogram(labels(point), point.getCount(), point.getSum(), buckets, null));
            }
            return new MetricFamily(name, help, histogram.isGaugeHistogram() ? MetricType.GAUGE_HISTOGRAM
                    : MetricType.HISTOGRAM, metrics);
        }
        return null;
    }

    private static List<Label> labels(DataPointSnapshot point) {
        Labels labels = point.getLabels();
        List<Label> result = new ArrayList<>(labels.size());
        for (int i = 0; i < labels.size(); i++) {
            result.add(new Label(labels.getPrometheusName(i), labels.getValue(i)));
        }
        return result;
    }
}
