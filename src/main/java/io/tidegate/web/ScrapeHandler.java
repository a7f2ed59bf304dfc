package io.tidegate.web;

import io.tidegate.telemetry.OwnMetrics;
import io.javalin.http.Context;
import io.tidegate.store.StoreSnapshot;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.Supplier;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * GET on the telemetry path: every live family once, in the negotiated format, gzipped when accepted,
 * read from one snapshot of the store.
 */
final class ScrapeHandler {
    private final Supplier<StoreSnapshot> snapshots;
    private final OwnMetrics metrics;

    ScrapeHandler(Supplier<StoreSnapshot> snapshots, OwnMetrics metrics) {
        this.snapshots = snapshots;
        this.metrics = metrics;
    }

    void handle(Context ctx) throws IOException {
        try (var timer = metrics.timeScrape()) {
            answer(ctx);
        }
    }

    private void answer(Context ctx) throws IOException {
        ScrapeNegotiation.Scrape scrape = ScrapeNegotiation.negotiate(ctx.header("Accept"));
        ctx.contentType(scrape.contentType());
        boolean gzip = acceptsGzip(ctx.header("Accept-Encoding"));
        if (gzip) {
            ctx.header("Content-Encoding", "gzip");
        }
        // Straight to the connection in large writes, so sending overlaps with copying.
        OutputStream out = new BufferedOutputStream(ctx.res().getOutputStream(), 1 << 18);
        if (gzip) {
            out = new FastGzipOutputStream(out);
        }
        snapshots.get().scrape(scrape.format(), scrape.escaping(), metrics.families(), out);
        out.close();
    }

    /**
     * Whether {@code acceptEncoding} (an Accept-Encoding header) takes gzip: a coding {@code gzip} whose
     * q-value, if it has one, is not 0. Anything else in the header, however malformed, is passed over.
     */
    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String coding : acceptEncoding.split(",")) {
            String[] parts = coding.split(";");
            if (parts.length > 0 && parts[0].trim().equalsIgnoreCase("gzip")) {
                for (int i = 1; i < parts.length; i++) {
                    String parameter = parts[i].replace(" ", "");
                    if (parameter.regionMatches(true, 0, "q=", 0, 2) && isZero(parameter.substring(2))) {
                        return false;
                    }
                }
                return true;
            }
        }
        return false;
    }

    /** A q-value of 0 ("0", "0.", "0.000"); any other text, malformed ones included, is not. */
    private static boolean isZero(String qvalue) {
        return qvalue.matches("0(\\.0{0,3})?");
    }

    /** Scrapes are large and repeated every few seconds: compress fast rather than small. */
    private static final class FastGzipOutputStream extends GZIPOutputStream {
        FastGzipOutputStream(OutputStream out) throws IOException {
            super(out, 1 << 16);
            def.setLevel(Deflater.BEST_SPEED);
        }
    }
}
