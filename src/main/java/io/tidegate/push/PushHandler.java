package io.tidegate.push;

import io.tidegate.format.BodyFormatException;
import io.tidegate.format.Durations;
import io.tidegate.format.ParsedBody;
import io.tidegate.format.Refusal;
import io.tidegate.key.GroupingKey;
import io.tidegate.key.KeyPath;
import io.tidegate.store.GroupWriter;
import io.tidegate.store.Source;
import io.tidegate.store.Ttls;
import io.tidegate.store.Verb;
import io.tidegate.store.WriteOutcome;
import io.tidegate.store.WriteRequest;
import io.tidegate.ttl.TtlResolver;
import java.io.IOException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The HTTP push adapter: PUT, POST and DELETE on {@code /metrics/job/...}. Each request becomes a
 * command ({@link #command}: the grouping key from the path, the families from the body, the TTL
 * resolved) or a {@link Refusal}; a write goes to the {@link GroupWriter} it was given (the store, or
 * one that replicates through the MQTT broker: it cannot tell), and what became of it becomes the
 * answer ({@link #answer}), as upstream answers: 200 for an applied checked push, 202 unchecked or for
 * a delete, and for a refusal the status its reason has ({@link #statusOf}, the one place that
 * decides) with its message.
 */
public final class PushHandler {
    /** The header that gives a push its TTL, and tells the pusher the TTL it got. */
    public static final String TTL_HEADER = "Push-TTL";

    /** How long a pusher refused because the persistence journal is failing is told to wait (Retry-After). */
    static final int NOT_DURABLE_RETRY_AFTER_SECONDS = 10;

    private static final Logger log = LoggerFactory.getLogger(PushHandler.class);
    private static final String INCONSISTENT = "pushed metrics are invalid or inconsistent with existing metrics: ";
    /** What a writer that replicates through the MQTT broker refuses when the broker did not take the write. */
    private static final Set<Refusal.Reason> NOT_TAKEN_BY_BROKER = EnumSet.of(Refusal.Reason.UNAVAILABLE,
            Refusal.Reason.TOO_LARGE);
    private static final Set<Refusal.Reason> OVER_LIMIT = EnumSet.of(Refusal.Reason.TOO_MANY_SERIES,
            Refusal.Reason.OVERSIZED_LABELS, Refusal.Reason.TOO_MANY_GROUPS, Refusal.Reason.TOO_MANY_STORED_SERIES,
            Refusal.Reason.TOO_MANY_STORED_BYTES);

    /** The answer to a Content-Encoding Tidegate cannot undo (upstream reads any such body as plain). */
    static final int UNSUPPORTED_MEDIA_TYPE = 415;
    /** The answer to a body that finds the heap's budget for bodies being read taken by others ({@link BodiesInFlight}). */
    static final int TOO_MANY_REQUESTS = 429;

    private final GroupWriter writer;
    private final TtlResolver ttls;
    private final PushBody bodies;
    private final boolean checked;
    private final String pushPathPrefix;

    /**
     * @param checked whether an applied push is answered 200 and a refused one 400 (else both 202,
     *     {@code --push.disable-consistency-check})
     * @param pushPathPrefix the route prefix followed by {@code /metrics/}
     */
    public PushHandler(GroupWriter writer, TtlResolver ttls, PushBody bodies, boolean checked, String pushPathPrefix) {
        this.writer = writer;
        this.ttls = ttls;
        this.bodies = bodies;
        this.checked = checked;
        this.pushPathPrefix = pushPathPrefix;
    }

    /** Answers {@code request}, having written what it asks for. Throws what the writer throws (a failed disk). */
    public PushAnswer handle(PushRequest request) {
        PushCommand command = command(request);
        if (command instanceof PushCommand.Write write) {
            return answer(write.request(), writer.write(write.request()));
        }
        if (command instanceof PushCommand.Refuse refuse) {
            return refused(refuse.refusal());
        }
        return ((PushCommand.Answer) command).answer();
    }

    /** What {@code request} asks for, read from it alone: a write, a refusal, or what upstream's router answers. */
    PushCommand command(PushRequest request) {
        String decoded = KeyPath.percentDecode(request.rawPath());
        if (decoded == null) {
            // a DELETE too: the client sent a path no group can have, which it should hear of as a PUT would
            return new PushCommand.Refuse(new Refusal(Refusal.Reason.BAD_PATH,
                    "the push path is not valid UTF-8 once percent-decoded: " + request.rawPath()));
        }
        if (!decoded.startsWith(pushPathPrefix)) {
            return new PushCommand.Answer(PushAnswer.notFound());
        }
        String rest = decoded.substring(pushPathPrefix.length());
        int slash = rest.indexOf('/');
        String first = slash < 0 ? rest : rest.substring(0, slash);
        boolean jobBase64 = KeyPath.isJobSegment(first, true);
        if (slash < 0 || !(KeyPath.isJobSegment(first, false) || jobBase64)) {
            return new PushCommand.Answer(PushAnswer.notFound());
        }
        String afterJob = rest.substring(slash + 1);
        int nextSlash = afterJob.indexOf('/');
        String jobSegment = nextSlash < 0 ? afterJob : afterJob.substring(0, nextSlash);
        String labelPath = nextSlash < 0 ? "" : afterJob.substring(nextSlash);
        if (jobSegment.isEmpty()) {
            // upstream's router sends ".../job/" to ".../job" (which has no route) and has no answer for job@base64/
            return new PushCommand.Answer(jobBase64 ? PushAnswer.notFound()
                    : PushAnswer.redirect(decoded.substring(0, decoded.length() - 1)));
        }
        KeyPath.Parsed path = KeyPath.parse(jobSegment, jobBase64, labelPath, bodies.names());
        if (path instanceof KeyPath.Refused refused) {
            log.atDebug().addKeyValue("err", refused.refusal().message()).log("push path rejected");
            return new PushCommand.Refuse(refused.refusal());
        }
        return command(request, ((KeyPath.Key) path).key());
    }

    /** The write {@code request} asks for on the group of {@code key}, or why there is none. */
    private PushCommand command(PushRequest request, GroupingKey key) {
        Source source = Source.http(request.clientAddress());
        if (request.verb() == Verb.DELETE) {
            return new PushCommand.Write(WriteRequest.delete(key, source));
        }
        Optional<Duration> pushTtl;
        try {
            pushTtl = pushTtl(request);
        } catch (IllegalArgumentException e) {
            return new PushCommand.Refuse(new Refusal(Refusal.Reason.BAD_TTL, e.getMessage()));
        }
        ParsedBody body;
        try {
            body = bodies.read(request.contentType(), request.contentEncoding(), request.body());
        } catch (PushBody.TooLargeException e) {
            log.atDebug().addKeyValue("source", source.detail()).addKeyValue("err", e.getMessage()).log("push body too large");
            return new PushCommand.Refuse(new Refusal(Refusal.Reason.TOO_LARGE, e.getMessage()));
        } catch (PushBody.BusyException e) {
            log.atDebug().addKeyValue("source", source.detail()).addKeyValue("err", e.getMessage()).log("push body refused for now");
            return new PushCommand.Answer(new PushAnswer(TOO_MANY_REQUESTS, e.getMessage(), Map.of("Retry-After", "1")));
        } catch (PushBody.UnsupportedEncodingException e) {
            log.atDebug().addKeyValue("source", source.detail()).addKeyValue("err", e.getMessage()).log("push body rejected");
            return new PushCommand.Answer(PushAnswer.plain(UNSUPPORTED_MEDIA_TYPE, e.getMessage()));
        } catch (BodyFormatException e) {
            log.atDebug().addKeyValue("source", source.detail()).addKeyValue("err", e.getMessage()).log("push body rejected");
            return new PushCommand.Refuse(e.refusal());
        } catch (IOException e) {
            log.atDebug().addKeyValue("source", source.detail()).addKeyValue("err", e.getMessage()).log("push body rejected");
            return new PushCommand.Refuse(new Refusal(Refusal.Reason.BAD_BODY, e.getMessage()));
        }
        Ttls resolved = ttls.resolve(key, source.kind(), pushTtl, body.staleTimeoutSeconds());
        return new PushCommand.Write(new WriteRequest(key, request.verb(), body.families(), resolved, source));
    }

    /** The push's own TTL: the Push-TTL header, else the ttl query parameter. */
    private static Optional<Duration> pushTtl(PushRequest request) {
        String header = request.ttlHeader();
        if (header != null) {
            return Optional.of(parseTtl(header, TTL_HEADER + " header"));
        }
        String query = request.ttlQuery();
        return query == null ? Optional.empty() : Optional.of(parseTtl(query, "ttl query parameter"));
    }

    private static Duration parseTtl(String value, String where) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid " + where + ": " + e.getMessage());
        }
    }

    /**
     * The answer to {@code request} once the writer says what became of it. A write the broker did not
     * take is answered with its refusal, a delete too, and so is one that could not be made durable (503
     * with Retry-After); any other delete is 202. An applied push tells
     * its TTL in the {@value #TTL_HEADER} header. A push over a limit is refused; unchecked, one the
     * store refused as inconsistent is 202 all the same.
     */
    PushAnswer answer(WriteRequest request, WriteOutcome outcome) {
        Refusal refusal = outcome.refusal();
        if (refusal != null && refusal.reason() == Refusal.Reason.NOT_DURABLE) {
            // the journal logged the failure once; a line per refused push would flood the log
            log.atDebug().addKeyValue("method", request.verb()).addKeyValue("group", request.key())
                    .addKeyValue("err", refusal.message()).log("push not stored");
            return new PushAnswer(503, refusal.message(),
                    Map.of("Retry-After", Integer.toString(NOT_DURABLE_RETRY_AFTER_SECONDS)));
        }
        if (refusal != null && NOT_TAKEN_BY_BROKER.contains(refusal.reason())) {
            return refused(request, refusal, Level.WARN, "push not replicated");
        }
        if (request.verb() == Verb.DELETE) {
            return PushAnswer.status(202);
        }
        if (refusal == null) {
            return new PushAnswer(checked ? 200 : 202, null,
                    Map.of(TTL_HEADER, Durations.format(Duration.ofMillis(request.ttls().pushMillis()))));
        }
        if (OVER_LIMIT.contains(refusal.reason())) {
            return refused(request, refusal, Level.INFO, "push over a limit");
        }
        if (!checked) {
            return PushAnswer.status(202);
        }
        return refused(request, refusal, Level.INFO, "push rejected");
    }

    /** The answer to {@code request}'s refusal, once logged as {@code event}. */
    private static PushAnswer refused(WriteRequest request, Refusal refusal, Level level, String event) {
        log.atLevel(level).addKeyValue("method", request.verb()).addKeyValue("source", request.source().detail())
                .addKeyValue("group", request.key()).addKeyValue("err", refusal.message()).log(event);
        return refused(refusal);
    }

    /** The answer to a refusal: its status, and its message (upstream's prefix before the store's). */
    static PushAnswer refused(Refusal refusal) {
        String text = refusal.reason() == Refusal.Reason.INCONSISTENT ? INCONSISTENT + refusal.message()
                : refusal.message();
        return PushAnswer.plain(statusOf(refusal.reason()), text);
    }

    /**
     * The HTTP status of each refusal: 400 for what the pusher must fix; 413 for a push too large, as
     * a body too large; 429 for a new group beyond the group limit, or series or heap beyond the
     * limits on what is held, which may succeed once groups expire; 503 when the broker a replicated push goes
     * through did not take it, or when the push could not be made durable (a full disk: the same push
     * succeeds once the journal recovers).
     */
    static int statusOf(Refusal.Reason reason) {
        return switch (reason) {
            case BAD_PATH, BAD_BODY, BAD_TTL, INCONSISTENT, OVERSIZED_LABELS -> 400;
            case TOO_MANY_SERIES, TOO_LARGE -> 413;
            case TOO_MANY_GROUPS, TOO_MANY_STORED_SERIES, TOO_MANY_STORED_BYTES -> 429;
            case UNAVAILABLE, NOT_DURABLE -> 503;
        };
    }
}
