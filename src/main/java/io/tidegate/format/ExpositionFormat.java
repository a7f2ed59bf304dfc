package io.tidegate.format;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * One wire format for scrapes. A push renders each family's series once ({@link #renderSeries});
 * a scrape then writes each family's header once and copies the rendered parts of every group
 * holding that family ({@link #writeFamily}), so a scrape costs a copy, not an encoding.
 */
public interface ExpositionFormat {
    /** The Content-Type header value of a scrape answered in this format. */
    String contentType();

    /** The series of {@code family}, encoded in this format without the family's header. */
    byte[] renderSeries(MetricFamily family);

    /**
     * Writes one family: its header ({@code help} may be null: no help line/field), then the parts
     * from {@link #renderSeries}, in order.
     */
    void writeFamily(String name, String help, MetricType type, List<byte[]> seriesParts, OutputStream out)
            throws IOException;

    /** Writes what must close a scrape in this format, if anything. */
    void writeEnd(OutputStream out) throws IOException;
}
