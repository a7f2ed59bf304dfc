package io.tidegate.web;

import io.javalin.http.Context;

/** Plain-text answers written exactly as upstream's Go server writes them (http.Error). */
public final class PlainAnswer {
    private PlainAnswer() {}

    public static void status(Context ctx, int code, String message) {
        ctx.status(code);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.contentType("text/plain; charset=utf-8");
        ctx.result(message + "\n");
    }

    /** A 200 with a plain-text body, as upstream's health endpoints answer. */
    public static void ok(Context ctx, String text) {
        ctx.contentType("text/plain; charset=utf-8");
        ctx.result(text);
    }

    public static void notFound(Context ctx) {
        status(ctx, 404, "404 page not found");
    }
}
