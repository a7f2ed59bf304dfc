package io.tidegate.push;

import io.tidegate.key.PushPath;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.prometheus.metrics.core.datapoints.Timer;
import io.tidegate.format.Durations;
import io.tidegate.ttl.TtlResolver;
import io.tidegate.format.BodyFormatException;
import io.tidegate.format.Refusal;
import io.tidegate.format.ParsedBody;
import io.tidegate.store.Source;
import io.tidegate.store.Store;
import io.tidegate.store.Ttls;
import io.tidegate.store.Verb;
import io.tidegate.store.WriteLimits;
import io.tidegate.store.WriteOutcome;
import io.tidegate.store.WriteRequest;
import io.tidegate.telemetry.OwnMetrics;
import io.tidegate.web.PlainAnswer;
import io.tidegate.web.WebServer;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PUT, POST and DELETE on {@code /metrics/job/...}: reads the grouping key from the path and the
 * families from the body, hands the store one {@link WriteRequest}, and answers as upstream does
 * (200 for an accepted checked push, 202 unchecked or for a delete, 400 with the reason otherwise).
 * A push the store refuses as over one of the {@link WriteLimits} is 413 for too many series, 400
 * for too many or too long labels, 429 for a new group beyond the group limit.
 */
public final class PushHandler {
    private static final Logger log = LoggerFactory.getLogger(PushHandler.class);
    private static final String INCONSISTENT = "pushed metrics are invalid or inconsistent with existing metrics: ";

    static final String TTL_HEADER = "Push-TTL";

    private final Store store;
    private final TtlResolver ttls;
    private final PushBody bodies;
    private final boolean checked;
    private final OwnMetrics metrics;
    private final String pushPathPrefix;
    private volatile PushReplication replication; // null: pushes go to the local store

    /** @param pushPathPrefix the route prefix followed by {@code /metrics/} */
    public PushHandler(Store store, TtlResolver ttls, PushBody bodies, boolean checked, OwnMetrics metrics,
            String pushPathPrefix) {
        this.store = store;
        this.ttls = ttls;
        this.bodies = bodies;
        this.checked = checked;
        this.metrics = metrics;
        this.pushPathPrefix = pushPathPrefix;
    }

    /**
     * From now on, publishes every accepted push and delete through {@code replication} instead of
     * writing it to the store ({@code --mqtt.replicate}); the store only checks it first.
     */
    public void replicateThrough(PushReplication replication) {
        this.replication = replication;
    }

    public void handle(Context ctx) {
        String method = ctx.method().name();
        boolean delete = ctx.method() == HandlerType.DELETE;
        int status = WebServer.INTERNAL_ERROR; // what the web server answers when this throws (a failed disk)
        try (Timer timer = delete ? null : metrics.timePush(method)) {
            answer(ctx);
            status = ctx.statusCode();
        } finally {
            metrics.countRequest(delete ? "delete" : "push", status, method);
            if (!delete) {
                metrics.observePushSize(method, Math.max(0, ctx.req().getContentLengthLong()));
            }
        }
    }

    /** The outcome of replicating {@code request}, or null when it did not reach the broker and the answer says why. */
    private static WriteOutcome replicate(Context ctx, PushReplication replication, WriteRequest request) {
        try {
            return replication.replicate(request);
        } catch (PushReplication.Failure e) {
            log.atWarn().addKeyValue("method", request.verb()).addKeyValue("source", request.source().detail())
                    .addKeyValue("group", request.key()).addKeyValue("err", e.getMessage()).log("push not replicated");
            PlainAnswer.status(ctx, e.status(), e.getMessage());
            return null;
        }
    }

    /** A push too large is 413, as a body too large; one that may succeed once groups expire is 429. */
    private static int statusOf(Refusal.Reason reason) {
        return switch (reason) {
            case TOO_MANY_SERIES -> 413;
            case OVERSIZED_LABELS -> 400;
            case TOO_MANY_GROUPS -> 429;
            default -> throw new IllegalArgumentException("not a limit: " + reason);
        };
    }

    /** The push's own TTL: the Push-TTL header, else the ttl query parameter. */
    private static Optional<Duration> pushTtl(Context ctx) {
        String header = ctx.header(TTL_HEADER);
        if (header != null) {
            return Optional.of(parseTtl(header, TTL_HEADER + " header"));
        }
        String query = ctx.queryParam("ttl");
        return query == null ? Optional.empty() : Optional.of(parseTtl(query, "ttl query parameter"));
    }

    private static Duration parseTtl(String value, String where) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid " + where + ": " + e.getMessage());
        }
    }

    private void answer(Context ctx) {
        String decoded = PushPath.percentDecode(ctx.req().getRequestURI());
        if (decoded == null) {
            if (ctx.method() == HandlerType.DELETE) {
                ctx.status(202); // no group can have such a key, so there is nothing to delete
            } else {
                PlainAnswer.badRequest(ctx, "the push path is not valid UTF-8 once percent-decoded: "
                        + ctx.req().getRequestURI());
            }
            return;
        }
        if (!decoded.startsWith(pushPathPrefix)) {
            PlainAnswer.notFound(ctx);
            return;
        }
        String rest = decoded.substring(pushPathPrefix.length());
        int slash = rest.indexOf('/');
        String first = slash < 0 ? rest : rest.substring(0, slash);
        boolean jobBase64 = PushPath.isJobSegment(first, true);
        if (slash < 0 || !(PushPath.isJobSegment(first, false) || jobBase64)) {
            PlainAnswer.notFound(ctx);
            return;
        }
        String afterJob = rest.substring(slash + 1);
        int nextSlash = afterJob.indexOf('/');
        String jobSegment = nextSlash < 0 ? afterJob : afterJob.substring(0, nextSlash);
        String labelPath = nextSlash < 0 ? "" : afterJob.substring(nextSlash);
        if (jobSegment.isEmpty()) {
            // upstream's router sends ".../job/" to ".../job" (which has no route) and has no answer for job@base64/
            if (jobBase64) {
                PlainAnswer.notFound(ctx);
            } else {
                PlainAnswer.redirect(ctx, decoded.substring(0, decoded.length() - 1));
            }
            return;
        }
        PushPath.Parsed parsed = PushPath.parse(jobSegment, jobBase64, labelPath);
        if (parsed instanceof PushPath.Refused refused) {
            log.atDebug().addKeyValue("err", refused.refusal().message()).log("push path rejected");
            PlainAnswer.badRequest(ctx, refused.refusal().message());
            return;
        }
        PushPath.Key path = (PushPath.Key) parsed;
        Source source = Source.http(ctx.ip());
        PushReplication replication = this.replication;
        if (ctx.method() == HandlerType.DELETE) {
            if (replication == null) {
                store.write(WriteRequest.delete(path.key(), source));
            } else if (replicate(ctx, replication, WriteRequest.delete(path.key(), source)) == null) {
                return;
            }
            ctx.status(202);
            return;
        }
        Optional<Duration> pushTtl;
        try {
            pushTtl = pushTtl(ctx);
        } catch (IllegalArgumentException e) {
            PlainAnswer.badRequest(ctx, e.getMessage());
            return;
        }
        ParsedBody body;
        try {
            body = bodies.read(ctx.header("Content-Type"), ctx.header("Content-Encoding"), ctx.bodyInputStream());
        } catch (PushBody.TooLargeException e) {
            log.atDebug().addKeyValue("source", source.detail()).addKeyValue("err", e.getMessage()).log("push body too large");
            PlainAnswer.status(ctx, 413, e.getMessage());
            return;
        } catch (BodyFormatException | IOException e) {
            log.atDebug().addKeyValue("source", source.detail()).addKeyValue("err", e.getMessage()).log("push body rejected");
            PlainAnswer.badRequest(ctx, e.getMessage());
            return;
        }
        Verb verb = ctx.method() == HandlerType.PUT ? Verb.PUT : Verb.POST;
        Ttls resolved = ttls.resolve(path.key(), source.kind(), pushTtl, body.staleTimeoutSeconds());
        WriteRequest request = new WriteRequest(path.key(), verb, body.families(), resolved, source);
        WriteOutcome outcome;
        if (replication == null) {
            outcome = store.write(request);
        } else {
            // refused here what can be told here, so a push the pusher must fix never leaves
            outcome = store.check(request);
            if (outcome.wasApplied()) {
                outcome = replicate(ctx, replication, request);
                if (outcome == null) {
                    return;
                }
            }
        }
        Refusal refusal = outcome.refusal();
        if (refusal != null && refusal.reason() != Refusal.Reason.INCONSISTENT) {
            log.atInfo().addKeyValue("method", verb).addKeyValue("source", source.detail())
                    .addKeyValue("group", path.key()).addKeyValue("err", refusal.message()).log("push over a limit");
            PlainAnswer.status(ctx, statusOf(refusal.reason()), refusal.message());
            return;
        }
        if (outcome.wasApplied()) {
            ctx.header(TTL_HEADER, Durations.format(Duration.ofMillis(resolved.pushMillis())));
        }
        if (!checked) {
            ctx.status(202);
        } else if (!outcome.wasApplied()) {
            log.atInfo().addKeyValue("method", verb).addKeyValue("source", source.detail())
                    .addKeyValue("group", path.key()).addKeyValue("err", refusal.message()).log("push rejected");
            PlainAnswer.badRequest(ctx, INCONSISTENT + refusal.message());
        } else {
            ctx.status(200);
        }
    }
}
