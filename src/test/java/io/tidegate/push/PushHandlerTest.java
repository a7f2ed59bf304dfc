package io.tidegate.push;

import static io.tidegate.TestKeys.key;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.store.WriteLimits;
import io.tidegate.format.Refusal;
import io.tidegate.store.GroupWriter;
import io.tidegate.store.Source;
import io.tidegate.store.Verb;
import io.tidegate.store.WriteOutcome;
import io.tidegate.store.WriteRequest;
import io.tidegate.ttl.TtlResolver;
import io.tidegate.ttl.TtlRules;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The HTTP push adapter on its own, as upstream's handler tests are: a request in, the write the
 * writer is handed (a stand-in that answers as told), and the answer out. No web server, no store.
 */
class PushHandlerTest {
    private static final String CLIENT = "10.0.0.7";
    private static final String INCONSISTENT = "pushed metrics are invalid or inconsistent with existing metrics: ";

    private final FakeWriter writer = new FakeWriter();
    private final TtlResolver ttls = new TtlResolver(TtlRules::none, Duration.ofMinutes(5), Duration.ofDays(1));
    private final PushHandler push = new PushHandler(writer, ttls, new PushBody(1024, WriteLimits.DEFAULTS.body()), true, "/metrics/");
    private final PushHandler unchecked = new PushHandler(writer, ttls, new PushBody(1024, WriteLimits.DEFAULTS.body()), false, "/metrics/");

    /** A writer that records what it is handed and answers each write with {@link #outcome}. */
    private static final class FakeWriter implements GroupWriter {
        final List<WriteRequest> written = new ArrayList<>();
        WriteOutcome outcome = WriteOutcome.applied();

        @Override
        public WriteOutcome write(WriteRequest request) {
            written.add(request);
            return outcome;
        }
    }

    /** A request as the web server hands it over. */
    private record Request(Verb verb, String rawPath, String contentType, String contentEncoding, String ttlHeader,
            String ttlQuery, String text) implements PushRequest {
        @Override
        public InputStream body() {
            return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String clientAddress() {
            return CLIENT;
        }

        Request ttlHeader(String value) {
            return new Request(verb, rawPath, contentType, contentEncoding, value, ttlQuery, text);
        }

        Request ttlQuery(String value) {
            return new Request(verb, rawPath, contentType, contentEncoding, ttlHeader, value, text);
        }
    }

    private static Request request(Verb verb, String path, String body) {
        return new Request(verb, path, "text/plain; version=0.0.4", null, null, null, body);
    }

    private static Request put(String path, String body) {
        return request(Verb.PUT, path, body);
    }

    private static Request delete(String path) {
        return request(Verb.DELETE, path, "");
    }

    private WriteRequest theWrite() {
        assertThat(writer.written).hasSize(1);
        return writer.written.get(0);
    }

    private static PushAnswer plain(int status, String text) {
        return new PushAnswer(status, text, Map.of());
    }

    @Test
    void aPutWritesTheGroupItsPathNamesWithTheFamiliesOfItsBody() {
        PushAnswer answer = push.handle(put("/metrics/job/backup/instance/db1", "# TYPE x gauge\nx 1\ny 2\n"));

        WriteRequest write = theWrite();
        assertThat(write.verb()).isEqualTo(Verb.PUT);
        assertThat(write.key()).isEqualTo(key("job", "backup", "instance", "db1"));
        assertThat(write.families()).containsOnlyKeys("x", "y");
        assertThat(write.families().get("x").metrics().get(0).value()).isEqualTo(1);
        assertThat(write.source()).isEqualTo(Source.http(CLIENT));
        assertThat(answer).isEqualTo(new PushAnswer(200, null, Map.of("Push-TTL", "5m")));
    }

    @Test
    void aPostWritesAPost() {
        push.handle(request(Verb.POST, "/metrics/job/backup", "x 1\n"));

        assertThat(theWrite().verb()).isEqualTo(Verb.POST);
    }

    @Test
    void aDeleteWritesADeleteAndIsAnswered202() {
        PushAnswer answer = push.handle(delete("/metrics/job/backup/instance/db1"));

        assertThat(theWrite()).isEqualTo(WriteRequest.delete(key("job", "backup", "instance", "db1"), Source.http(CLIENT)));
        assertThat(answer).isEqualTo(new PushAnswer(202, null, Map.of()));
    }

    @Test
    void base64SegmentsAndEncodedSlashesAreDecodedAsUpstreamDoes() {
        push.handle(put("/metrics/job@base64/Zm9vL2Jhcg/path@base64/L3Zhci90bXA/zone/eu%2Fwest/r1", "x 1\n"));

        assertThat(theWrite().key()).isEqualTo(key("job", "foo/bar", "path", "/var/tmp", "zone", "eu", "west", "r1"));
    }

    @Test
    void theTtlComesFromThePushTtlHeaderAndIsToldBack() {
        PushAnswer answer = push.handle(put("/metrics/job/a", "x 1\n").ttlHeader("90s"));

        assertThat(theWrite().ttls().pushMillis()).isEqualTo(90_000);
        assertThat(answer.headers()).isEqualTo(Map.of("Push-TTL", "1m30s"));
    }

    @Test
    void theTtlComesFromTheQueryParameterWithoutAHeader() {
        PushAnswer answer = push.handle(put("/metrics/job/a", "x 1\n").ttlQuery("10m"));

        assertThat(theWrite().ttls().pushMillis()).isEqualTo(600_000);
        assertThat(answer.headers()).isEqualTo(Map.of("Push-TTL", "10m"));
    }

    @Test
    void theHeaderWinsOverTheQueryParameterWhateverItSays() {
        PushAnswer answer = push.handle(put("/metrics/job/a", "x 1\n").ttlHeader("30s").ttlQuery("not a duration"));

        assertThat(theWrite().ttls().pushMillis()).isEqualTo(30_000);
        assertThat(answer.status()).isEqualTo(200);
    }

    @Test
    void aStaleTimeoutLineGivesItsFamilyItsOwnTtl() {
        push.handle(put("/metrics/job/a", "x 1\n#!set stale_timeout = 30\ny 2\n").ttlHeader("1h"));

        assertThat(theWrite().ttls().pushMillis()).isEqualTo(3_600_000);
        assertThat(theWrite().ttls().familyMillis()).isEqualTo(Map.of("y", 30_000L));
    }

    @Test
    void aTtlThatIsNoDurationIsRefusedAndNothingIsWritten() {
        assertThat(push.handle(put("/metrics/job/a", "x 1\n").ttlHeader("soon")))
                .isEqualTo(plain(400, "invalid Push-TTL header: invalid duration \"soon\": expected a number at position 1"));
        assertThat(push.handle(put("/metrics/job/a", "x 1\n").ttlQuery("soon")))
                .isEqualTo(plain(400, "invalid ttl query parameter: invalid duration \"soon\": expected a number at position 1"));
        assertThat(writer.written).isEmpty();
    }

    @Test
    void aPathThatNamesNoGroupIsRefusedWithUpstreamsText() {
        assertThat(push.handle(put("/metrics/job/a/b", "x 1\n")))
                .isEqualTo(plain(400, "odd number of components in label string \"/b\""));
        assertThat(push.handle(put("/metrics/job/a/__b/c", "x 1\n"))).isEqualTo(plain(400, "improper label name \"__b\""));
        assertThat(push.handle(delete("/metrics/job@base64/=")).text()).isEqualTo("job name is required");
        assertThat(writer.written).isEmpty();
    }

    @Test
    void aPathThatIsNotUtf8IsRefusedForAPushAndForADeleteAlike() {
        assertThat(push.handle(put("/metrics/job/%FF", "x 1\n")))
                .isEqualTo(plain(400, "the push path is not valid UTF-8 once percent-decoded: /metrics/job/%FF"));
        assertThat(push.handle(delete("/metrics/job/%FF")))
                .isEqualTo(plain(400, "the push path is not valid UTF-8 once percent-decoded: /metrics/job/%FF"));
        assertThat(push.handle(delete("/metrics/job/a/b/%C0%80")))
                .isEqualTo(plain(400, "the push path is not valid UTF-8 once percent-decoded: /metrics/job/a/b/%C0%80"));
        assertThat(writer.written).isEmpty();
    }

    @Test
    void aContentEncodingTidegateCannotUndoIsRefused415AndNothingIsWritten() {
        for (String encoding : new String[] {"br", "deflate", "gzip, gzip", "compress", ";;;", "x-gzip"}) {
            Request request = new Request(Verb.PUT, "/metrics/job/a", null, encoding, null, null, "x 1\n");
            assertThat(push.handle(request)).as(encoding).isEqualTo(plain(415, "unsupported Content-Encoding \""
                    + encoding + "\": send the body plain, gzip or snappy"));
        }
        assertThat(writer.written).isEmpty();
        for (String encoding : new String[] {"", " ", "identity", "IDENTITY"}) {
            Request request = new Request(Verb.PUT, "/metrics/job/a", null, encoding, null, null, "x 1\n");
            assertThat(push.handle(request).status()).as(encoding).isEqualTo(200);
        }
    }

    @Test
    void anEmptyJobIsRedirectedAsUpstreamsRouterDoesAndAnEmptyBase64JobIsNotFound() {
        assertThat(push.handle(put("/metrics/job/", "x 1\n")))
                .isEqualTo(new PushAnswer(307, null, Map.of("Location", "/metrics/job")));
        assertThat(push.handle(put("/metrics/job@base64/", "x 1\n"))).isEqualTo(plain(404, "404 page not found"));
        assertThat(writer.written).isEmpty();
    }

    @Test
    void aPathOutsideThePushRoutesIsNotFound() {
        PushHandler prefixed = new PushHandler(writer, ttls, new PushBody(1024, WriteLimits.DEFAULTS.body()), true, "/gw/metrics/");

        assertThat(prefixed.handle(put("/metrics/job/a", "x 1\n"))).isEqualTo(plain(404, "404 page not found"));
        assertThat(prefixed.handle(put("/gw/metrics/jobs/a", "x 1\n"))).isEqualTo(plain(404, "404 page not found"));
        assertThat(prefixed.handle(put("/gw/metrics/job/a", "x 1\n")).status()).isEqualTo(200);
        assertThat(writer.written).hasSize(1);
    }

    @Test
    void aBodyThatDoesNotParseIsRefusedWithTheParsersMessage() {
        PushAnswer answer = push.handle(put("/metrics/job/a", "x{"));

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.text()).startsWith("text format parsing error in line 1");
        assertThat(writer.written).isEmpty();
    }

    @Test
    void aBodyOverTheLimitIs413() {
        PushHandler small = new PushHandler(writer, ttls, new PushBody(10, WriteLimits.DEFAULTS.body()), true, "/metrics/");

        assertThat(small.handle(put("/metrics/job/a", "a_long_metric_name 1\n")))
                .isEqualTo(plain(413, "request body exceeds the limit of 10 bytes (--push.max-body-size)"));
        assertThat(writer.written).isEmpty();
    }

    @Test
    void aWriteTheStoreRefusesIs400WithUpstreamsPrefixAndNoTtl() {
        writer.outcome = WriteOutcome.rejected("collected metric \"x\" {instance=\"\",job=\"b\"} is not a COUNTER");

        assertThat(push.handle(put("/metrics/job/a", "x 1\n"))).isEqualTo(
                plain(400, INCONSISTENT + "collected metric \"x\" {instance=\"\",job=\"b\"} is not a COUNTER"));
    }

    @Test
    void uncheckedEveryPushTheStoreTakesOrRefusesAsInconsistentIs202() {
        assertThat(unchecked.handle(put("/metrics/job/a", "x 1\n")))
                .isEqualTo(new PushAnswer(202, null, Map.of("Push-TTL", "5m")));

        writer.outcome = WriteOutcome.rejected("pushed metrics must not have timestamps");

        assertThat(unchecked.handle(put("/metrics/job/a", "x 1\n"))).isEqualTo(new PushAnswer(202, null, Map.of()));
    }

    @Test
    void aWriteOverALimitIsAnsweredByItsKindCheckedOrNot() {
        for (PushHandler handler : List.of(push, unchecked)) {
            writer.outcome = WriteOutcome.refused(new Refusal(Refusal.Reason.TOO_MANY_SERIES, "too many series"));
            assertThat(handler.handle(put("/metrics/job/a", "x 1\n"))).isEqualTo(plain(413, "too many series"));
            writer.outcome = WriteOutcome.refused(new Refusal(Refusal.Reason.OVERSIZED_LABELS, "a label too long"));
            assertThat(handler.handle(put("/metrics/job/a", "x 1\n"))).isEqualTo(plain(400, "a label too long"));
            writer.outcome = WriteOutcome.refused(new Refusal(Refusal.Reason.TOO_MANY_GROUPS, "too many groups"));
            assertThat(handler.handle(put("/metrics/job/a", "x 1\n"))).isEqualTo(plain(429, "too many groups"));
        }
    }

    @Test
    void aReplicatingWriterThatCannotReachTheBrokerIs503WithItsMessageForAPushAndADelete() {
        writer.outcome = WriteOutcome.refused(new Refusal(Refusal.Reason.UNAVAILABLE,
                "not connected to the MQTT broker yet; the push was not stored"));

        assertThat(push.handle(put("/metrics/job/a", "x 1\n")))
                .isEqualTo(plain(503, "not connected to the MQTT broker yet; the push was not stored"));
        assertThat(unchecked.handle(delete("/metrics/job/a")))
                .isEqualTo(plain(503, "not connected to the MQTT broker yet; the push was not stored"));
    }

    @Test
    void aPushTooLargeToReplicateIs413() {
        writer.outcome = WriteOutcome.refused(new Refusal(Refusal.Reason.TOO_LARGE, "replicated push too large"));

        assertThat(push.handle(put("/metrics/job/a", "x 1\n"))).isEqualTo(plain(413, "replicated push too large"));
    }

    @Test
    void aDeleteIs202WhateverElseTheWriterSays() {
        writer.outcome = WriteOutcome.rejected("a replica could not read it");

        assertThat(push.handle(delete("/metrics/job/a"))).isEqualTo(new PushAnswer(202, null, Map.of()));
    }

    @Test
    void aPushOrDeleteTheDiskCouldNotKeepIs503WithRetryAfterAndTheReason() {
        writer.outcome = WriteOutcome.notDurable("persistence file /x: No space left on device");

        for (Request request : List.of(put("/metrics/job/a", "x 1\n"), delete("/metrics/job/a"))) {
            PushAnswer answer = push.handle(request);
            assertThat(answer.status()).isEqualTo(503);
            assertThat(answer.text()).isEqualTo("nothing was stored: persistence file /x: No space left on device");
            assertThat(answer.headers()).containsEntry("Retry-After", "10");
        }
    }

    @Test
    void everyRefusalHasTheStatusUpstreamWouldAnswer() {
        Map<Refusal.Reason, Integer> statuses = Map.ofEntries(
                Map.entry(Refusal.Reason.BAD_PATH, 400),
                Map.entry(Refusal.Reason.BAD_BODY, 400),
                Map.entry(Refusal.Reason.BAD_TTL, 400),
                Map.entry(Refusal.Reason.INCONSISTENT, 400),
                Map.entry(Refusal.Reason.OVERSIZED_LABELS, 400),
                Map.entry(Refusal.Reason.TOO_MANY_SERIES, 413),
                Map.entry(Refusal.Reason.TOO_LARGE, 413),
                Map.entry(Refusal.Reason.TOO_MANY_GROUPS, 429),
                Map.entry(Refusal.Reason.TOO_MANY_STORED_SERIES, 429),
                Map.entry(Refusal.Reason.TOO_MANY_STORED_BYTES, 429),
                Map.entry(Refusal.Reason.UNAVAILABLE, 503),
                Map.entry(Refusal.Reason.NOT_DURABLE, 503));

        assertThat(statuses).containsOnlyKeys(Refusal.Reason.values());
        statuses.forEach((reason, status) -> {
            String text = reason == Refusal.Reason.INCONSISTENT ? INCONSISTENT + "why" : "why";
            assertThat(PushHandler.refused(new Refusal(reason, "why"))).as(reason.name()).isEqualTo(plain(status, text));
        });
    }
}
