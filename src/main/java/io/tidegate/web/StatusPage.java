package io.tidegate.web;

import io.javalin.http.Context;
import io.tidegate.format.Label;
import io.tidegate.store.Group;
import io.tidegate.store.StoredFamily;
import io.tidegate.store.StoreSnapshot;
import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The page at {@code /}: every group with its grouping key, source, last push and families, and
 * the flags. Rendered on the server from one snapshot of the store, with no asset from outside the jar.
 */
final class StatusPage {
    private final Supplier<StoreSnapshot> snapshots;
    private final Map<String, String> flags;

    StatusPage(Supplier<StoreSnapshot> snapshots, Map<String, String> flags) {
        this.snapshots = snapshots;
        this.flags = flags;
    }

    void handle(Context ctx) {
        StringBuilder html = new StringBuilder(4096);
        html.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Tidegate</title><style>")
                .append("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}")
                .append("code{background:#f4f4f4}</style></head><body><h1>Tidegate</h1>");
        html.append("<h2>Groups</h2><table><tr><th>Grouping key</th><th>Source</th><th>Last push</th>")
                .append("<th>Last push successful</th><th>Families</th><th>Series</th></tr>");
        for (Group group : snapshots.get().groups()) {
            html.append("<tr><td><code>");
            boolean first = true;
            for (Label label : group.key().labels()) {
                html.append(first ? "" : ", ").append(escape(label.name())).append("=\"")
                        .append(escape(label.value())).append('"');
                first = false;
            }
            StoredFamily pushTime = group.family("push_time_seconds");
            long lastPush = pushTime == null ? 0 : pushTime.writtenAtMillis();
            int series = 0;
            for (StoredFamily family : group.families().values()) {
                series += family.seriesCount();
            }
            html.append("</code></td><td>").append(escape(group.source().kind().wireName())).append(' ')
                    .append(escape(String.valueOf(group.source().detail())))
                    .append(group.source().retained() ? " (retained)" : "").append("</td><td>")
                    .append(lastPush == 0 ? "never" : Instant.ofEpochMilli(lastPush).toString()).append("</td><td>")
                    .append(group.lastPushSuccessful() ? "yes" : "no").append("</td><td>")
                    .append(escape(String.join(", ", group.families().keySet()))).append("</td><td>").append(series)
                    .append("</td></tr>");
        }
        html.append("</table><h2>Flags</h2><table>");
        flags.forEach((name, value) -> html.append("<tr><td>").append(escape(name)).append("</td><td>")
                .append(escape(value)).append("</td></tr>"));
        html.append("</table></body></html>");
        ctx.contentType("text/html; charset=utf-8");
        ctx.result(html.toString());
    }

    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '&' -> escaped.append("&amp;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
