package io.tidegate.web;

import io.javalin.http.Context;
import io.tidegate.format.WireFormat;
import io.tidegate.store.Store;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/** GET on the telemetry path: every live family once, in the negotiated format, gzipped when accepted. */
final class ScrapeHandler {
    private final Store store;
    private final OwnMetrics metrics;
    private volatile int lastSize = 1 << 16;

    ScrapeHandler(Store store, OwnMetrics metrics) {
        this.store = store;
        this.metrics = metrics;
    }

    void handle(Context ctx) throws IOException {
        long started = System.nanoTime();
        WireFormat format = ScrapeNegotiation.choose(ctx.header("Accept"));
        ctx.contentType(format.format().contentType());
        boolean gzip = acceptsGzip(ctx.header("Accept-Encoding"));
        if (gzip) {
            ctx.header("Content-Encoding", "gzip");
        }
        // Rendered into memory first: the server then sends it in large writes with a known length.
        ExposedBytes body = new ExposedBytes(lastSize);
        OutputStream out = gzip ? new FastGzipOutputStream(body) : body;
        store.scrape(format, metrics.families(), out);
        out.close();
        lastSize = body.size();
        ctx.res().setContentLength(body.size());
        ctx.res().getOutputStream().write(body.array(), 0, body.size());
        metrics.observeScrape((System.nanoTime() - started) / 1e9);
    }

    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String coding : acceptEncoding.split(",")) {
            String[] parts = coding.trim().split(";");
            if (parts[0].trim().equalsIgnoreCase("gzip")) {
                return parts.length < 2 || !parts[1].replace(" ", "").equals("q=0");
            }
        }
        return false;
    }

    /** A byte array stream whose buffer can be written out without a copy. */
    private static final class ExposedBytes extends ByteArrayOutputStream {
        ExposedBytes(int expectedSize) {
            super(expectedSize + expectedSize / 8);
        }

        byte[] array() {
            return buf;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            if (count + length > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, count + length));
            }
            System.arraycopy(bytes, offset, buf, count, length);
            count += length;
        }
    }

    /** Scrapes are large and repeated every few seconds: compress fast rather than small. */
    private static final class FastGzipOutputStream extends GZIPOutputStream {
        FastGzipOutputStream(OutputStream out) throws IOException {
            super(out, 1 << 16);
            def.setLevel(Deflater.BEST_SPEED);
        }
    }
}
