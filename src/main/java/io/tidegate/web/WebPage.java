package io.tidegate.web;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The operator's page at {@code /} (and {@code /status}, as upstream) and its files under
 * {@code /static/}: fixed files from the jar, read once at startup. The page draws itself in the
 * browser from the JSON API with URLs relative to itself, so it works under any route prefix and
 * carries no data; its Content-Security-Policy makes the browser refuse anything not served here,
 * inline scripts included.
 */
final class WebPage {
    /**
     * Sent with every answer (by the web server, so a HEAD, an error and the page alike); an operator's own
     * policy from the web config applies as well.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; base-uri 'none'; form-action 'none'";
    private static final String RESOURCES = "/io/tidegate/web/page/";

    private record File(byte[] bytes, String contentType) {}

    private final File page = read("index.html", "text/html; charset=utf-8");
    private final Map<String, File> assets = Map.of(
            "page.js", read("page.js", "text/javascript; charset=utf-8"),
            "grouping.js", read("grouping.js", "text/javascript; charset=utf-8"),
            "groups.js", read("groups.js", "text/javascript; charset=utf-8"),
            "page.css", read("page.css", "text/css; charset=utf-8"),
            "favicon.svg", read("favicon.svg", "image/svg+xml"));

    void page(Context ctx) {
        send(ctx, page);
    }

    /** {@code /static/<file>}: one of the page's files, or 404 for any other name. */
    void asset(Context ctx) {
        File file = assets.get(ctx.pathParam("file"));
        if (file == null) {
            PlainAnswer.notFound(ctx);
            return;
        }
        send(ctx, file);
    }

    private static void send(Context ctx, File file) {
        ctx.header("X-Content-Type-Options", "nosniff");
        // small files: the browser asks again each time, so an upgraded jar shows its page at once
        ctx.header("Cache-Control", "no-cache");
        ctx.contentType(file.contentType());
        ctx.result(file.bytes());
    }

    private static File read(String name, String contentType) {
        try (InputStream in = WebPage.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks the web page's file " + RESOURCES + name);
            }
            return new File(in.readAllBytes(), contentType);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the web page's file " + RESOURCES + name, e);
        }
    }
}
