package io.tidegate.stack;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The provisioned Grafana dashboard, grafana/dashboards/tidegate.json, as the tests read it. */
final class Dashboard {
    static final Path FILE = Path.of("grafana", "dashboards", "tidegate.json");

    /** One query of a panel. */
    record Query(String panel, String expr) {
        /**
         * The query as Prometheus gets it from Grafana: the rate window and the device-job variable
         * replaced by what Grafana would put there.
         */
        String asPrometheusGetsIt(String rateInterval) {
            return expr.replace("$__rate_interval", rateInterval).replace("$job", ".*");
        }
    }

    private Dashboard() {}

    static JsonObject json() {
        try {
            return JsonParser.parseString(Files.readString(FILE)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<JsonObject> panels() {
        List<JsonObject> panels = new ArrayList<>();
        for (JsonElement panel : json().getAsJsonArray("panels")) {
            panels.add(panel.getAsJsonObject());
        }
        return panels;
    }

    static List<Query> queries() {
        List<Query> queries = new ArrayList<>();
        for (JsonObject panel : panels()) {
            for (JsonElement target : panel.getAsJsonArray("targets")) {
                queries.add(new Query(panel.get("title").getAsString(), target.getAsJsonObject().get("expr").getAsString()));
            }
        }
        return queries;
    }
}
