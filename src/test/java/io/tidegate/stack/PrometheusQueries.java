package io.tidegate.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.tidegate.TestHttp;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Prometheus' HTTP query API, as the tests ask it what it has scraped and which alerts fire. */
final class PrometheusQueries {
    private final TestHttp http;

    PrometheusQueries(int port) {
        this.http = new TestHttp(port);
    }

    /** The answer's {@code data}, once Prometheus said {@code success}. */
    private JsonElement data(String path) {
        TestHttp.Answer answer = http.get(path);
        assertThat(answer.status()).as(path + ": " + answer.body()).isEqualTo(200);
        JsonObject envelope = JsonParser.parseString(answer.body()).getAsJsonObject();
        assertThat(envelope.get("status").getAsString()).as(path).isEqualTo("success");
        return envelope.get("data");
    }

    /** An instant query's result: one element per series, each with {@code metric} and {@code value}. */
    JsonArray instant(String query) {
        JsonObject data = data("/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)).getAsJsonObject();
        assertThat(data.get("resultType").getAsString()).as(query).isIn("vector", "scalar");
        return data.get("resultType").getAsString().equals("vector") ? data.getAsJsonArray("result") : new JsonArray();
    }

    /** The {@code instance} labels of an instant query's result. */
    Set<String> instances(String query) {
        return values(query).keySet();
    }

    /** An instant query's values by the {@code instance} label of each series. */
    Map<String, Double> values(String query) {
        Map<String, Double> values = new HashMap<>();
        for (JsonElement sample : instant(query)) {
            JsonObject series = sample.getAsJsonObject();
            values.put(series.getAsJsonObject("metric").get("instance").getAsString(),
                    Double.parseDouble(series.getAsJsonArray("value").get(1).getAsString()));
        }
        return values;
    }

    /** The values a label has in the series a selector matches, as Grafana's label_values() asks for them. */
    Set<String> labelValues(String label, String selector) {
        Set<String> values = new TreeSet<>();
        data("/api/v1/label/" + label + "/values?match[]=" + URLEncoder.encode(selector, StandardCharsets.UTF_8))
                .getAsJsonArray().forEach(value -> values.add(value.getAsString()));
        return values;
    }

    /** Every rule group's rules, as {@code /api/v1/rules} lists them. */
    List<JsonObject> rules() {
        List<JsonObject> rules = new ArrayList<>();
        for (JsonElement group : data("/api/v1/rules").getAsJsonObject().getAsJsonArray("groups")) {
            group.getAsJsonObject().getAsJsonArray("rules").forEach(rule -> rules.add(rule.getAsJsonObject()));
        }
        return rules;
    }
}
