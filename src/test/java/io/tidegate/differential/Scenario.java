package io.tidegate.differential;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * The request sequence of the differential test, written as a small DSL:
 * <pre>
 *   section("replacement semantics");            // wipes both gateways first
 *   put("/metrics/job/a", "x 1\n");
 *   post("/metrics/job/a", "y 2\n");
 *   delete("/metrics/job/a");
 *   send(request("PUT", "/metrics/job/a").withBody(gzip("x 1\n")).withHeader("Content-Encoding", "gzip"));
 * </pre>
 */
public class Scenario {

    private final List<Request> requests = new ArrayList<>();
    private String section = "(start)";

    /** Starts a section: the requests that follow are reported under its title; both gateways are wiped. */
    public void section(String title) {
        section = title;
        send(Request.of("PUT", "/api/v1/admin/wipe"));
    }

    public void put(String path, String body) {
        send(Request.of("PUT", path).withBody(body));
    }

    public void post(String path, String body) {
        send(Request.of("POST", path).withBody(body));
    }

    public void delete(String path) {
        send(Request.of("DELETE", path));
    }

    public void get(String path) {
        send(Request.of("GET", path));
    }

    /** A request without a body, with any method. */
    public void send(String method, String path) {
        send(Request.of(method, path));
    }

    public void send(Request request) {
        requests.add(request.inSection(section));
    }

    /** A request with a note for the report (e.g. how a generated body was broken). */
    public void send(Request request, String note) {
        requests.add(request.inSection(section + " / " + note));
    }

    public static Request request(String method, String path) {
        return Request.of(method, path);
    }

    public static byte[] gzip(String text) {
        return gzip(text.getBytes(StandardCharsets.UTF_8));
    }

    public static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }
}
