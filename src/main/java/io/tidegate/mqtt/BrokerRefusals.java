package io.tidegate.mqtt;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The log lines of what the embedded broker refuses (a login, a publish, a subscription): INFO, since
 * a refusal is the broker doing its job, at most one line a minute for each source (an address, a
 * client id), with how many were left out since the last one, so a device retrying with a wrong
 * password or publishing where it may not every second cannot flood the log. Bounded in sources,
 * since anyone on the network can be one. Thread-safe.
 */
final class BrokerRefusals {
    static final long INTERVAL_MILLIS = 60_000;
    static final int MAX_SOURCES = 1_000;

    private static final Logger log = LoggerFactory.getLogger(EmbeddedBroker.class);

    private final Clock clock;
    private final LinkedHashMap<String, long[]> sources = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
            return size() > MAX_SOURCES;
        }
    };

    BrokerRefusals(Clock clock) {
        this.clock = clock;
    }

    /**
     * Logs {@code message} at INFO with the fields {@code fields} adds, unless a line for {@code source}
     * went out less than a minute ago; then it is only counted, and the next line says how many were left out.
     */
    void refused(String source, String message, Consumer<LoggingEventBuilder> fields) {
        if (!log.isInfoEnabled()) {
            return;
        }
        long now = clock.millis();
        long suppressed;
        synchronized (sources) {
            long[] state = sources.computeIfAbsent(source, s -> new long[] {Long.MIN_VALUE, 0});
            if (state[0] != Long.MIN_VALUE && now - state[0] < INTERVAL_MILLIS) {
                state[1]++;
                return;
            }
            suppressed = state[1];
            state[0] = now;
            state[1] = 0;
        }
        LoggingEventBuilder line = log.atInfo();
        fields.accept(line);
        if (suppressed > 0) {
            line = line.addKeyValue("suppressed", suppressed);
        }
        line.log(message);
    }
}
