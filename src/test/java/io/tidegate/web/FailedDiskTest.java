package io.tidegate.web;

import io.tidegate.telemetry.OwnMetrics;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.TestHttp;
import io.tidegate.cli.Flags;
import io.tidegate.config.ReloadOutcome;
import io.tidegate.ttl.TtlRules;
import io.tidegate.ttl.TtlResolver;
import io.tidegate.store.Group;
import io.tidegate.key.GroupingKey;
import io.tidegate.store.Store;
import io.tidegate.store.WriteLog;
import io.tidegate.ttl.ExpirySchedule;
import java.io.UncheckedIOException;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A push whose journal write fails (a full or broken disk) is answered 503 with the reason and a
 * Retry-After (the pusher did nothing wrong, the same push succeeds once the disk has room), and is
 * counted as the 503 it was, so an alert on failing pushes sees it.
 */
class FailedDiskTest {
    private WebServer web;
    private TestHttp http;

    @BeforeEach
    void start() throws Exception {
        Flags flags = new Flags();
        Flags.commandLine(flags).parseArgs("--web.listen-address=127.0.0.1:0");
        OwnMetrics metrics = new OwnMetrics();
        Store store = new Store(Clock.systemUTC(), true, metrics::typeOf, new ExpirySchedule());
        store.journalTo(new FailingDisk());
        TtlResolver ttls = new TtlResolver(TtlRules::none, flags.ttlDefault, flags.ttlMax);
        web = new WebServer(flags.webSettings(), store, store, ttls, metrics, () -> (ReloadOutcome) null, () -> {}, Instant.now(),
                List::of)
                .start();
        web.ready();
        http = new TestHttp(web.port());
    }

    @AfterEach
    void stop() {
        web.close();
    }

    @Test
    void aPushThatCannotBeJournalledIsA503WithTheReasonAndCountedAsOne() {
        TestHttp.Answer answer = http.put("/metrics/job/probe", "temp 21\n");

        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.header("Retry-After")).isNotEmpty();
        assertThat(answer.body()).contains("No space left on device");
        String scrape = http.get("/metrics").body();
        assertThat(scrape).contains("pushgateway_http_requests_total{code=\"503\",handler=\"push\",method=\"put\"} 1")
                .doesNotContain("pushgateway_http_requests_total{code=\"200\",handler=\"push\"");
    }

    /** A journal whose every sync fails, as on a full disk. */
    private static final class FailingDisk implements WriteLog {
        @Override
        public void written(Group group) {}

        @Override
        public void deleted(GroupingKey key) {}

        @Override
        public void wiped() {}

        @Override
        public long position() {
            return 1;
        }

        @Override
        public void awaitDurable(long position) {
            throw new UncheckedIOException(new IOException("No space left on device"));
        }

        @Override
        public void whenDurable(long position, Runnable then) {}
    }
}
