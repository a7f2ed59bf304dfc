package io.tidegate.differential;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A {@code GET /api/v1/metrics} answer reduced to what two gateways must agree on: the groups (keyed by their
 * grouping labels, since upstream lists groups in random map order), per group {@code last_push_successful}
 * and each family's type, help and metrics (as a sorted multiset of canonical JSON). Ignored: every
 * {@code time_stamp}, and the exact values of the timestamp families (only zero-or-not is kept).
 * Self metrics never appear here, but are dropped all the same should a gateway list them.
 */
public final class GroupsView {

    private final SortedMap<String, String> facts;

    private GroupsView(SortedMap<String, String> facts) {
        this.facts = facts;
    }

    public static GroupsView parse(String json, Normalisation normalisation) {
        SortedMap<String, String> facts = new TreeMap<>();
        JsonElement root;
        try {
            root = JsonParser.parseString(json);
        } catch (RuntimeException e) {
            facts.put("(answer)", "not JSON: " + Excerpts.quoted(json, 200));
            return new GroupsView(facts);
        }
        if (!root.isJsonObject() || !root.getAsJsonObject().has("data")) {
            facts.put("(answer)", "no data: " + Excerpts.quoted(json, 200));
            return new GroupsView(facts);
        }
        facts.put("(status)", String.valueOf(root.getAsJsonObject().get("status")));
        JsonElement data = root.getAsJsonObject().get("data");
        if (!data.isJsonArray()) {
            facts.put("(data)", "not an array: " + canonical(data));
            return new GroupsView(facts);
        }
        for (JsonElement element : data.getAsJsonArray()) {
            JsonObject group = element.getAsJsonObject();
            String key = "group " + canonical(group.get("labels"));
            for (Map.Entry<String, JsonElement> field : group.entrySet()) {
                String name = field.getKey();
                if (name.equals("labels")) {
                    continue;
                }
                if (name.equals("last_push_successful") || !field.getValue().isJsonObject()) {
                    facts.put(key + " " + name, canonical(field.getValue()));
                    continue;
                }
                if (normalisation.isSelfMetric(name)) {
                    continue;
                }
                JsonObject family = field.getValue().getAsJsonObject();
                facts.put(key + " family " + name + " type", canonical(family.get("type")));
                facts.put(key + " family " + name + " help", canonical(family.get("help")));
                putMetrics(facts, key + " family " + name, family.get("metrics"),
                        normalisation.isTimestampFamily(name));
                for (String other : family.keySet()) {
                    if (!List.of("type", "help", "metrics", "time_stamp").contains(other)) {
                        facts.put(key + " family " + name + " " + other, canonical(family.get(other)));
                    }
                }
            }
        }
        return new GroupsView(facts);
    }

    public List<String> differencesTo(GroupsView candidate, String upstreamName, String candidateName) {
        List<String> out = new ArrayList<>();
        TreeMap<String, String> theirs = new TreeMap<>(candidate.facts);
        for (Map.Entry<String, String> mine : facts.entrySet()) {
            String other = theirs.remove(mine.getKey());
            if (other == null) {
                out.add(mine.getKey() + " only in " + upstreamName + ": " + mine.getValue());
            } else if (!other.equals(mine.getValue())) {
                out.add(mine.getKey() + " differs:\n      " + upstreamName + ": " + mine.getValue()
                        + "\n      " + candidateName + ": " + other);
            }
        }
        for (Map.Entry<String, String> other : theirs.entrySet()) {
            out.add(other.getKey() + " only in " + candidateName + ": " + other.getValue());
        }
        return out;
    }

    /** One fact per metric, keyed by its labels, so that a difference names the metric that differs. */
    private static void putMetrics(SortedMap<String, String> facts, String prefix, JsonElement metrics,
                                   boolean blurValues) {
        if (metrics == null || !metrics.isJsonArray()) {
            facts.put(prefix + " metrics", canonical(metrics));
            return;
        }
        facts.put(prefix + " metric count", Integer.toString(metrics.getAsJsonArray().size()));
        for (JsonElement metric : metrics.getAsJsonArray()) {
            if (blurValues && metric.isJsonObject() && metric.getAsJsonObject().has("value")) {
                JsonObject copy = metric.getAsJsonObject().deepCopy();
                copy.add("value", new JsonPrimitive(Normalisation.zeroOrNot(copy.get("value").getAsString())));
                metric = copy;
            }
            String labels = metric.isJsonObject() ? canonical(metric.getAsJsonObject().get("labels")) : "?";
            String key = prefix + " metric " + labels;
            for (int duplicate = 2; facts.containsKey(key); duplicate++) {
                key = prefix + " metric " + labels + " #" + duplicate;
            }
            facts.put(key, canonical(metric));
        }
    }

    /** JSON with object keys sorted, so that key order never counts as a difference. */
    static String canonical(JsonElement element) {
        if (element == null) {
            return "(absent)";
        }
        if (element.isJsonObject()) {
            SortedMap<String, JsonElement> sorted = new TreeMap<>(element.getAsJsonObject().asMap());
            StringBuilder out = new StringBuilder("{");
            sorted.forEach((k, v) -> out.append(out.length() > 1 ? "," : "")
                    .append(new JsonPrimitive(k)).append(':').append(canonical(v)));
            return out.append('}').toString();
        }
        if (element.isJsonArray()) {
            JsonArray array = element.getAsJsonArray();
            StringBuilder out = new StringBuilder("[");
            for (int i = 0; i < array.size(); i++) {
                out.append(i > 0 ? "," : "").append(canonical(array.get(i)));
            }
            return out.append(']').toString();
        }
        return element.toString();
    }
}
