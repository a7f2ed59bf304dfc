package io.tidegate.differential;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import java.util.stream.Collectors;

/**
 * Replays a scenario against two gateways request by request, compares each pair of answers and, after every
 * request that may change state, both gateways' {@code /metrics} and {@code /api/v1/metrics}; sorts every
 * difference into explained (by a {@link KnownDifference}) or unexpected.
 */
public final class DifferentialRunner {

    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(5);
    private static final long SLOW_STEP_MILLIS = 500;
    private static final List<String> CORS_HEADERS = List.of(
            "access-control-allow-origin", "access-control-allow-methods", "access-control-allow-headers");
    private final GatewayUnderTest upstream;
    private final GatewayUnderTest candidate;
    private final List<KnownDifference> knownDifferences;
    private final Normalisation normalisation;
    private final GatewayClient client = new GatewayClient();

    public DifferentialRunner(GatewayUnderTest upstream, GatewayUnderTest candidate,
                              List<KnownDifference> knownDifferences, Normalisation normalisation) {
        this.upstream = upstream;
        this.candidate = candidate;
        this.knownDifferences = knownDifferences;
        this.normalisation = normalisation;
    }

    public DifferentialReport run(List<Request> scenario) {
        long started = System.nanoTime();
        List<Finding> findings = new ArrayList<>();
        KnownDifference divergedBy = null;
        Map<Aspect, List<String>> previousState = Map.of();
        List<String> slowest = new ArrayList<>();
        for (int i = 0; i < scenario.size(); i++) {
            long stepStarted = System.nanoTime();
            int step = i + 1;
            Request request = scenario.get(i);
            Answer fromUpstream = client.send(upstream, request);
            Answer fromCandidate = client.send(candidate, request);
            List<Finding> here = new ArrayList<>();
            for (Map.Entry<Aspect, String> difference : compareAnswers(request, fromUpstream, fromCandidate).entrySet()) {
                KnownDifference explanation = explain(request, difference.getKey());
                here.add(new Finding(step, request, difference.getKey(), difference.getValue(), fromUpstream,
                        fromCandidate, explanation != null || request.isWipe() ? explanation : divergedBy));
            }
            if (request.isWipe()) {
                divergedBy = null;
                previousState = Map.of();
            }
            if (request.mayChangeState()) {
                settle(upstream, request, fromUpstream);
                settle(candidate, request, fromCandidate);
                Map<Aspect, List<String>> state = compareState();
                for (Map.Entry<Aspect, List<String>> difference : state.entrySet()) {
                    KnownDifference explanation = explain(request, difference.getKey());
                    if (explanation == null && divergedBy != null) {
                        explanation = divergedBy;
                    }
                    List<String> items = difference.getValue();
                    if (explanation == null) {
                        // a state difference is told once, after the request that caused it, not after every
                        // request that follows until the next wipe
                        List<String> before = previousState.getOrDefault(difference.getKey(), List.of());
                        items = items.stream().filter(item -> !before.contains(item)).collect(Collectors.toList());
                    }
                    if (!items.isEmpty()) {
                        here.add(new Finding(step, request, difference.getKey(), String.join("\n", items),
                                fromUpstream, fromCandidate, explanation));
                    }
                }
                previousState = state;
            }
            for (Finding finding : here) {
                if (finding.explainedBy() != null && finding.explainedBy().stateDiverges()
                        && finding.explainedBy().matches(request)) {
                    divergedBy = finding.explainedBy();
                }
            }
            findings.addAll(here);
            long millis = (System.nanoTime() - stepStarted) / 1_000_000;
            if (millis >= SLOW_STEP_MILLIS) {
                slowest.add("#" + step + " " + request.line() + " took " + millis + " ms");
            }
        }
        return new DifferentialReport(upstream.name(), candidate.name(), scenario.size(), findings,
                knownDifferences, Duration.ofNanos(System.nanoTime() - started), slowest);
    }

    private KnownDifference explain(Request request, Aspect aspect) {
        return knownDifferences.stream().filter(k -> k.explains(request, aspect)).findFirst().orElse(null);
    }

    // ---- answers -------------------------------------------------------------------------------------------

    private Map<Aspect, String> compareAnswers(Request request, Answer a, Answer b) {
        Map<Aspect, String> out = new TreeMap<>();
        if (a.status() == -1 || b.status() == -1) {
            if (a.status() != b.status()) {
                out.put(Aspect.NO_ANSWER, "only one side answered");
            }
            return out;
        }
        if (a.status() != b.status()) {
            out.put(Aspect.STATUS, a.status() + " vs " + b.status());
        }
        if (a.status() >= 300 && a.status() < 400 && !Objects.equals(a.header("location"), b.header("location"))) {
            out.put(Aspect.LOCATION, a.header("location") + " vs " + b.header("location"));
        }
        if (!Objects.equals(a.header("content-encoding"), b.header("content-encoding"))) {
            out.put(Aspect.CONTENT_TYPE, "Content-Encoding " + a.header("content-encoding") + " vs "
                    + b.header("content-encoding"));
        }
        if (a.body().length > 0 && b.body().length > 0) {
            String typeA = contentType(a);
            String typeB = contentType(b);
            if (!Objects.equals(typeA, typeB)) {
                out.merge(Aspect.CONTENT_TYPE, a.header("content-type") + " vs " + b.header("content-type"),
                        (x, y) -> x + "\n" + y);
            }
        }
        if (request.path().startsWith("/api/")) {
            for (String name : CORS_HEADERS) {
                if (!Objects.equals(a.header(name), b.header(name))) {
                    out.merge(Aspect.CORS_HEADERS, name + ": " + a.header(name) + " vs " + b.header(name),
                            (x, y) -> x + "\n" + y);
                }
            }
        }
        if (a.status() >= 400 && b.status() >= 400) {
            ErrorTexts.compare(a.text(), b.text(), out);
        } else if (a.isSuccess() && b.isSuccess()) {
            String path = pathOnly(request.path());
            if (request.method().equals("GET") && path.equals("/metrics")) {
                List<String> d = Exposition.parse(a.text(), normalisation)
                        .differencesTo(Exposition.parse(b.text(), normalisation), upstream.name(), candidate.name());
                putIfAny(out, Aspect.SCRAPE, d);
            } else if (request.method().equals("GET") && path.equals("/api/v1/metrics")) {
                List<String> d = GroupsView.parse(a.text(), normalisation)
                        .differencesTo(GroupsView.parse(b.text(), normalisation), upstream.name(), candidate.name());
                putIfAny(out, Aspect.API_METRICS, d);
            } else if (request.method().equals("GET") && path.equals("/api/v1/status")) {
                putIfAny(out, Aspect.API_STATUS_KEYS, statusKeyDifferences(a.text(), b.text()));
            } else if (!request.method().equals("HEAD") && !java.util.Arrays.equals(a.body(), b.body())) {
                out.put(Aspect.BODY, Excerpts.of(a.body(), 300) + " vs " + Excerpts.of(b.body(), 300));
            }
        }
        return out;
    }

    private static void putIfAny(Map<Aspect, String> out, Aspect aspect, List<String> differences) {
        if (!differences.isEmpty()) {
            out.put(aspect, String.join("\n", differences));
        }
    }

    private static void addIfAny(Map<Aspect, List<String>> out, Aspect aspect, List<String> differences) {
        if (!differences.isEmpty()) {
            out.put(aspect, differences);
        }
    }

    /**
     * The Content-Type as compared: without blanks and case, and without {@code ;escaping=underscores}, which
     * upstream 1.11 (and Tidegate) append to every scrape that names no escaping, as promhttp does with
     * expfmt.Negotiate, and 1.5.1 predates; the exact header is held to prometheus/common's encode_test.go
     * TestNegotiate by ScrapeNegotiationTest and Utf8NamesHttpTest. Any other escaping still differs.
     */
    private static String contentType(Answer answer) {
        String type = answer.header("content-type");
        return type == null ? null : type.replace(" ", "").toLowerCase(Locale.ROOT).replace(";escaping=underscores", "");
    }

    private List<String> statusKeyDifferences(String a, String b) {
        List<String> out = new ArrayList<>();
        JsonObject dataA = data(a);
        JsonObject dataB = data(b);
        if (dataA == null || dataB == null) {
            out.add("not a JSON answer with data: " + Excerpts.quoted(dataA == null ? a : b, 200));
            return out;
        }
        compareKeys("data", dataA.keySet(), dataB.keySet(), true, out);
        for (String nested : List.of("build_information", "flags")) {
            if (dataA.has(nested) && dataB.has(nested) && dataA.get(nested).isJsonObject()
                    && dataB.get(nested).isJsonObject()) {
                // Tidegate has flags of its own (TTL, MQTT): upstream's keys must all be there, more are fine.
                compareKeys("data." + nested, dataA.getAsJsonObject(nested).keySet(),
                        dataB.getAsJsonObject(nested).keySet(), !nested.equals("flags"), out);
            }
        }
        return out;
    }

    private void compareKeys(String where, Set<String> a, Set<String> b, boolean exact, List<String> out) {
        Set<String> missing = new TreeSet<>(a);
        missing.removeAll(b);
        if (!missing.isEmpty()) {
            out.add(where + " keys only in " + upstream.name() + ": " + missing);
        }
        Set<String> extra = new TreeSet<>(b);
        extra.removeAll(a);
        if (exact && !extra.isEmpty()) {
            out.add(where + " keys only in " + candidate.name() + ": " + extra);
        }
    }

    private static JsonObject data(String json) {
        try {
            JsonElement root = JsonParser.parseString(json);
            if (root.isJsonObject() && root.getAsJsonObject().has("data")
                    && root.getAsJsonObject().get("data").isJsonObject()) {
                return root.getAsJsonObject().getAsJsonObject("data");
            }
        } catch (RuntimeException notJson) {
            // reported by the caller
        }
        return null;
    }

    // ---- state ---------------------------------------------------------------------------------------------

    private Map<Aspect, List<String>> compareState() {
        Map<Aspect, List<String>> out = new TreeMap<>();
        Answer scrapeA = client.send(upstream, Request.of("GET", "/metrics"));
        Answer scrapeB = client.send(candidate, Request.of("GET", "/metrics"));
        if (scrapeA.status() != 200 || scrapeB.status() != 200) {
            if (scrapeA.status() != scrapeB.status()) {
                out.put(Aspect.STATE_SCRAPE, List.of("GET /metrics answered " + scrapeA.summary(300) + " vs "
                        + scrapeB.summary(300)));
            }
        } else {
            addIfAny(out, Aspect.STATE_SCRAPE, Exposition.parse(scrapeA.text(), normalisation)
                    .differencesTo(Exposition.parse(scrapeB.text(), normalisation), upstream.name(), candidate.name()));
        }
        Answer apiA = client.send(upstream, Request.of("GET", "/api/v1/metrics"));
        Answer apiB = client.send(candidate, Request.of("GET", "/api/v1/metrics"));
        if (apiA.status() != 200 || apiB.status() != 200) {
            if (apiA.status() != apiB.status()) {
                out.put(Aspect.STATE_API_METRICS, List.of("GET /api/v1/metrics answered " + apiA.summary(300)
                        + " vs " + apiB.summary(300)));
            }
        } else {
            addIfAny(out, Aspect.STATE_API_METRICS, GroupsView.parse(apiA.text(), normalisation)
                    .differencesTo(GroupsView.parse(apiB.text(), normalisation), upstream.name(), candidate.name()));
        }
        return out;
    }

    /**
     * Upstream answers DELETE and wipe with 202 before its writer loop has applied them. Before state is read,
     * wait until the effect shows: the deleted group (or, for a wipe, every group) gone from /api/v1/metrics.
     */
    private void settle(GatewayUnderTest gateway, Request request, Answer answer) {
        if (answer.status() != 202) {
            return;
        }
        BooleanSupplier applied;
        if (request.isWipe()) {
            applied = () -> groupLabelSets(gateway).isEmpty();
        } else if (request.method().equals("DELETE")) {
            Map<String, String> key = groupingKeyOf(request.path());
            if (key == null) {
                settleBlindly();
                return;
            }
            applied = () -> !groupLabelSets(gateway).contains(key);
        } else {
            settleBlindly();
            return;
        }
        try {
            Awaitility.await().atMost(SETTLE_TIMEOUT).pollInterval(Duration.ofMillis(5)).until(applied::getAsBoolean);
        } catch (ConditionTimeoutException stillThere) {
            // the state comparison that follows reports what is left
        }
    }

    /** A 202 whose effect cannot be seen from outside: give upstream's writer loop a moment. */
    private static void settleBlindly() {
        Awaitility.await().pollDelay(Duration.ofMillis(50)).until(() -> true);
    }

    private List<Map<String, String>> groupLabelSets(GatewayUnderTest gateway) {
        List<Map<String, String>> out = new ArrayList<>();
        Answer answer = client.send(gateway, Request.of("GET", "/api/v1/metrics"));
        try {
            for (JsonElement group : JsonParser.parseString(answer.text()).getAsJsonObject().getAsJsonArray("data")) {
                Map<String, String> labels = new HashMap<>();
                group.getAsJsonObject().getAsJsonObject("labels").entrySet()
                        .forEach(e -> labels.put(e.getKey(), e.getValue().getAsString()));
                out.add(labels);
            }
        } catch (RuntimeException unreadable) {
            // nothing to wait for: the state comparison reports the answer
        }
        return out;
    }

    /** The grouping key a {@code /metrics/job...} path names, decoded as upstream does; null if not one. */
    static Map<String, String> groupingKeyOf(String rawPath) {
        String path = URI.create("http://x" + pathOnly(rawPath)).getPath();
        String[] parts = path.split("/", -1);
        if (parts.length < 4 || !parts[1].equals("metrics")
                || !(parts[2].equals("job") || parts[2].equals("job@base64"))) {
            return null;
        }
        try {
            Map<String, String> key = new HashMap<>();
            boolean onlyTrailingSlash = parts.length == 5 && parts[4].isEmpty();
            if (parts.length > 4 && !onlyTrailingSlash) {
                if ((parts.length - 4) % 2 != 0) {
                    return null;
                }
                for (int i = 4; i < parts.length; i += 2) {
                    String name = parts[i];
                    String value = parts[i + 1];
                    key.put(name.replace("@base64", ""), name.endsWith("@base64") ? base64(value) : value);
                }
            }
            key.put("job", parts[2].equals("job@base64") ? base64(parts[3]) : parts[3]);
            return key;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String base64(String value) {
        String trimmed = value.replaceAll("=+$", "");
        return new String(Base64.getUrlDecoder().decode(trimmed), StandardCharsets.UTF_8);
    }

    private static String pathOnly(String path) {
        int query = path.indexOf('?');
        return query < 0 ? path : path.substring(0, query);
    }

}
