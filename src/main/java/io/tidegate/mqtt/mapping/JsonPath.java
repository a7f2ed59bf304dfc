package io.tidegate.mqtt.mapping;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where a value sits in a JSON payload, in the small dotted syntax mapping rules use:
 * {@code temperature}, {@code ENERGY.Power}, {@code temperature.tC}, {@code aenergy.by_minute[0]},
 * and {@code *} for any one key ({@code *.Temperature}: the temperature of whichever sensor a
 * Tasmota reports). A leading {@code $.} is allowed and means nothing. Keys are matched exactly
 * (case included); a key holding a dot, a bracket or {@code *} cannot be named.
 */
public final class JsonPath {
    private final String text;
    private final List<Step> steps;
    private final boolean hasWildcard;

    /** A key, any key ({@code *}, key null), or an array index (key null, index at least 0). */
    private record Step(String key, int index) {
        boolean anyKey() {
            return key == null && index < 0;
        }
    }

    /** One value the path leads to, with the key {@code *} matched there (null without a {@code *}). */
    public record Selected(String wildcardKey, JsonElement value) {}

    private JsonPath(String text, List<Step> steps) {
        this.text = text;
        this.steps = steps;
        this.hasWildcard = steps.stream().anyMatch(Step::anyKey);
    }

    /** @throws IllegalArgumentException saying what is wrong with the path */
    public static JsonPath parse(String text) {
        String path = text.startsWith("$.") ? text.substring(2) : text;
        if (path.isEmpty()) {
            throw new IllegalArgumentException("a JSON path names at least one key");
        }
        List<Step> steps = new ArrayList<>();
        boolean wildcard = false;
        for (String segment : path.split("\\.", -1)) {
            int bracket = segment.indexOf('[');
            String key = bracket < 0 ? segment : segment.substring(0, bracket);
            if (key.isEmpty()) {
                throw new IllegalArgumentException("empty key in \"" + text + "\" (keys are separated by single dots)");
            }
            if (key.equals("*")) {
                if (wildcard) {
                    throw new IllegalArgumentException("\"" + text + "\" has more than one *");
                }
                wildcard = true;
                steps.add(new Step(null, -1));
            } else if (key.contains("*") || key.contains("]")) {
                throw new IllegalArgumentException("key \"" + key + "\" in \"" + text + "\": * stands alone for any key, ] only closes an index");
            } else {
                steps.add(new Step(key, -1));
            }
            String rest = bracket < 0 ? "" : segment.substring(bracket);
            while (!rest.isEmpty()) {
                int close = rest.indexOf(']');
                String number = close < 0 ? "" : rest.substring(1, close);
                if (!rest.startsWith("[") || close < 0 || !number.matches("[0-9]{1,9}")) {
                    throw new IllegalArgumentException("\"" + text + "\": an index is a number in brackets, such as [0]");
                }
                steps.add(new Step(null, Integer.parseInt(number)));
                rest = rest.substring(close + 1);
            }
        }
        return new JsonPath(text, List.copyOf(steps));
    }

    /** Whether the path has a {@code *}, so it may lead to several values. */
    public boolean hasWildcard() {
        return hasWildcard;
    }

    /** The key of a path that is one key ({@code temperature}), else null (nested keys, an index, {@code *}). */
    public String singleKey() {
        return steps.size() == 1 && steps.get(0).key() != null ? steps.get(0).key() : null;
    }

    /** The last key of the path ({@code Power} for {@code ENERGY.Power}), to name a metric by default. */
    public String lastKey() {
        for (int i = steps.size() - 1; i >= 0; i--) {
            if (steps.get(i).key() != null) {
                return steps.get(i).key();
            }
        }
        return "";
    }

    /** Every value the path leads to in {@code root}, in document order; empty when there is none. */
    public List<Selected> select(JsonElement root) {
        if (!hasWildcard) {
            JsonElement at = root;
            for (int i = 0; i < steps.size() && at != null; i++) {
                at = child(at, steps.get(i));
            }
            return at == null ? List.of() : List.of(new Selected(null, at)); // at most one: no list to grow
        }
        List<Selected> found = new ArrayList<>();
        walk(root, 0, null, found);
        return found;
    }

    /** The value {@code step} (a key or an index) leads to from {@code at}; null for none. */
    private static JsonElement child(JsonElement at, Step step) {
        if (step.key() != null) {
            return at instanceof JsonObject object ? object.get(step.key()) : null;
        }
        return at instanceof JsonArray array && step.index() < array.size() ? array.get(step.index()) : null;
    }

    private void walk(JsonElement at, int step, String wildcardKey, List<Selected> found) {
        if (step == steps.size()) {
            found.add(new Selected(wildcardKey, at));
            return;
        }
        Step next = steps.get(step);
        if (next.anyKey()) {
            if (at instanceof JsonObject object) {
                for (Map.Entry<String, JsonElement> entry : object.entrySet()) {
                    walk(entry.getValue(), step + 1, entry.getKey(), found);
                }
            }
        } else {
            JsonElement child = child(at, next);
            if (child != null) {
                walk(child, step + 1, wildcardKey, found);
            }
        }
    }

    /** As written in the configuration. */
    @Override
    public String toString() {
        return text;
    }
}
