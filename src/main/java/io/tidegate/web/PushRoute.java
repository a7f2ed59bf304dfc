package io.tidegate.web;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.prometheus.metrics.core.datapoints.Timer;
import io.tidegate.push.PushAnswer;
import io.tidegate.push.PushHandler;
import io.tidegate.push.PushRequest;
import io.tidegate.store.Verb;
import io.tidegate.telemetry.OwnMetrics;
import java.io.InputStream;

/**
 * The push routes on Javalin: hands each PUT, POST and DELETE on a push path to the {@link PushHandler}
 * and writes its answer, timing and counting it as upstream does ({@code pushgateway_http_*}): a
 * handler that throws (a failed disk) is counted as the 500 the web server answers.
 */
final class PushRoute {
    private final PushHandler push;
    private final OwnMetrics metrics;

    PushRoute(PushHandler push, OwnMetrics metrics) {
        this.push = push;
        this.metrics = metrics;
    }

    void handle(Context ctx) {
        String method = ctx.method().name();
        boolean delete = ctx.method() == HandlerType.DELETE;
        int status = WebServer.INTERNAL_ERROR; // what the web server answers when this throws (a failed disk)
        try (Timer timer = delete ? null : metrics.timePush(method)) {
            PushAnswer answer = push.handle(new Request(ctx));
            send(ctx, answer);
            status = answer.status();
        } finally {
            metrics.countRequest(delete ? "delete" : "push", status, method);
            if (!delete) {
                metrics.observePushSize(method, Math.max(0, ctx.req().getContentLengthLong()));
            }
        }
    }

    private static void send(Context ctx, PushAnswer answer) {
        answer.headers().forEach(ctx::header);
        if (answer.text() == null) {
            ctx.status(answer.status());
        } else {
            PlainAnswer.status(ctx, answer.status(), answer.text());
        }
    }

    /** The request as the push adapter reads it, each part taken from Javalin when asked for. */
    private record Request(Context ctx) implements PushRequest {
        @Override
        public Verb verb() {
            return Verb.valueOf(ctx.method().name());
        }

        @Override
        public String rawPath() {
            return ctx.req().getRequestURI();
        }

        @Override
        public String contentType() {
            return ctx.header("Content-Type");
        }

        @Override
        public String contentEncoding() {
            return ctx.header("Content-Encoding");
        }

        @Override
        public String ttlHeader() {
            return ctx.header(PushHandler.TTL_HEADER);
        }

        @Override
        public String ttlQuery() {
            return ctx.queryParam("ttl");
        }

        @Override
        public InputStream body() {
            return ctx.bodyInputStream();
        }

        @Override
        public String clientAddress() {
            return ctx.ip();
        }
    }
}
