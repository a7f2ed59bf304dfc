package io.tidegate.format;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A checker for OpenMetrics 1.0.0 text expositions, written from the specification's ABNF and its
 * per-type rules (sample name suffixes, {@code le}/{@code quantile} labels, {@code +Inf} bucket,
 * bucket order, {@code _count} with {@code _sum}, family metadata once and before samples, no
 * interleaved families, {@code # EOF} last). Returns the problems found; none means valid.
 */
final class OpenMetricsSpecCheck {
    private static final String METRIC_NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final String LABEL_NAME = "[a-zA-Z_][a-zA-Z0-9_]*";
    private static final String ESCAPED = "(?:[^\"\\\\\\n]|\\\\[n\"\\\\])*";
    private static final String REAL = "[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?";
    private static final String NUMBER = "(?:" + REAL + "|(?i:[+-]?inf(?:inity)?|nan))";
    private static final String LABELS = "\\{(?:" + LABEL_NAME + "=\"" + ESCAPED + "\"(?:," + LABEL_NAME + "=\""
            + ESCAPED + "\")*)?\\}";
    private static final Pattern DESCRIPTOR = Pattern.compile(
            "# (TYPE|HELP|UNIT) (" + METRIC_NAME + ") (.*)");
    private static final Pattern TYPES = Pattern.compile(
            "counter|gauge|histogram|gaugehistogram|stateset|info|summary|unknown");
    private static final Pattern SAMPLE = Pattern.compile("(" + METRIC_NAME + ")(" + LABELS + ")? (" + NUMBER
            + ")(?: (" + REAL + "))?(?: # " + LABELS + " " + NUMBER + "(?: " + REAL + ")?)?");
    private static final Pattern LABEL = Pattern.compile("(" + LABEL_NAME + ")=\"(" + ESCAPED + ")\"");
    private static final Map<String, List<String>> SUFFIXES = Map.of(
            "counter", List.of("_total", "_created"),
            "gauge", List.of(""),
            "unknown", List.of(""),
            "stateset", List.of(""),
            "info", List.of("_info"),
            "summary", List.of("", "_sum", "_count", "_created"),
            "histogram", List.of("_bucket", "_sum", "_count", "_created"),
            "gaugehistogram", List.of("_bucket", "_gsum", "_gcount"));

    private OpenMetricsSpecCheck() {}

    static List<String> problems(String exposition) {
        List<String> problems = new ArrayList<>();
        if (exposition.indexOf('\r') >= 0) {
            problems.add("carriage return");
        }
        if (!exposition.endsWith("# EOF\n") && !exposition.endsWith("# EOF")) {
            problems.add("does not end with # EOF");
            return problems;
        }
        String[] lines = exposition.substring(0, exposition.lastIndexOf("# EOF")).split("\n", -1);
        Set<String> finishedFamilies = new HashSet<>();
        Family family = null;
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            String where = "line " + (i + 1) + " '" + line + "': ";
            Matcher descriptor = DESCRIPTOR.matcher(line);
            if (descriptor.matches()) {
                String name = descriptor.group(2);
                if (family == null || !family.name.equals(name) || family.hasSamples) {
                    if (family != null) {
                        problems.addAll(family.finish());
                        finishedFamilies.add(family.name);
                    }
                    if (finishedFamilies.contains(name)) {
                        problems.add(where + "family " + name + " appears twice");
                    }
                    family = new Family(name);
                }
                if (!family.metadata.add(descriptor.group(1))) {
                    problems.add(where + "second " + descriptor.group(1));
                }
                if (descriptor.group(1).equals("TYPE")) {
                    if (!TYPES.matcher(descriptor.group(3)).matches()) {
                        problems.add(where + "unknown type");
                    }
                    family.type = descriptor.group(3);
                } else if (!descriptor.group(3).matches(ESCAPED)) {
                    problems.add(where + "bad escaping");
                }
                continue;
            }
            if (line.startsWith("#")) {
                problems.add(where + "comment lines are not allowed");
                continue;
            }
            Matcher sample = SAMPLE.matcher(line);
            if (!sample.matches()) {
                problems.add(where + "not a sample line");
                continue;
            }
            String sampleName = sample.group(1);
            if (family == null || !family.owns(sampleName)) {
                if (family != null) {
                    problems.addAll(family.finish());
                    finishedFamilies.add(family.name);
                }
                family = new Family(sampleName); // no metadata: unknown type
                if (finishedFamilies.contains(sampleName)) {
                    problems.add(where + "family " + sampleName + " interleaved");
                }
            }
            family.hasSamples = true;
            problems.addAll(family.add(where, sampleName, sample.group(2), sample.group(3)));
        }
        if (!lines[lines.length - 1].isEmpty()) {
            problems.add("# EOF is not on a line of its own");
        }
        if (family != null) {
            problems.addAll(family.finish());
        }
        return problems;
    }

    private static final class Family {
        final String name;
        final Set<String> metadata = new HashSet<>();
        String type = "unknown";
        boolean hasSamples;
        /** Per series (labels without le): bucket bounds in order, +Inf count, sum/count seen. */
        final Map<String, List<Double>> bounds = new LinkedHashMap<>();
        final Map<String, Double> infCount = new LinkedHashMap<>();
        final Map<String, Double> count = new LinkedHashMap<>();
        final Set<String> withSum = new HashSet<>();

        Family(String name) {
            this.name = name;
        }

        boolean owns(String sampleName) {
            for (String suffix : SUFFIXES.getOrDefault(type, List.of(""))) {
                if (sampleName.equals(name + suffix)) {
                    return true;
                }
            }
            return false;
        }

        List<String> add(String where, String sampleName, String labelText, String valueText) {
            List<String> problems = new ArrayList<>();
            Map<String, String> labels = new LinkedHashMap<>();
            if (labelText != null) {
                Matcher label = LABEL.matcher(labelText);
                while (label.find()) {
                    if (labels.put(label.group(1), label.group(2)) != null) {
                        problems.add(where + "duplicate label " + label.group(1));
                    }
                }
            }
            String suffix = sampleName.substring(name.length());
            boolean histogram = type.equals("histogram") || type.equals("gaugehistogram");
            if (type.equals("summary") && suffix.isEmpty() && !labels.containsKey("quantile")) {
                problems.add(where + "summary quantile sample without quantile label");
            }
            if (histogram && suffix.equals("_bucket") && !labels.containsKey("le")) {
                problems.add(where + "bucket without le");
            }
            double value = parse(valueText);
            String le = labels.remove("le");
            String series = labels.toString();
            if (histogram && suffix.equals("_bucket") && le != null) {
                if (!le.equals(GoFloat.formatOpenMetrics(parse(le)))) {
                    problems.add(where + "le is not a canonical number");
                }
                List<Double> seen = bounds.computeIfAbsent(series, s -> new ArrayList<>());
                if (!seen.isEmpty() && seen.get(seen.size() - 1) >= parse(le)) {
                    problems.add(where + "buckets not in increasing le order");
                }
                seen.add(parse(le));
                if (parse(le) == Double.POSITIVE_INFINITY) {
                    infCount.put(series, value);
                }
                if (valueText.contains(".") || valueText.contains("e")) {
                    problems.add(where + "bucket count is not an integer");
                }
            }
            if (histogram && (suffix.equals("_sum") || suffix.equals("_gsum"))) {
                withSum.add(series);
            }
            if (histogram && (suffix.equals("_count") || suffix.equals("_gcount"))) {
                count.put(series, value);
            }
            if (type.equals("summary") && suffix.isEmpty()) {
                String quantile = labels.get("quantile");
                if (quantile != null && !quantile.equals(GoFloat.formatOpenMetrics(parse(quantile)))) {
                    problems.add(where + "quantile is not a canonical number");
                }
            }
            return problems;
        }

        List<String> finish() {
            List<String> problems = new ArrayList<>();
            for (String series : bounds.keySet()) {
                if (!infCount.containsKey(series)) {
                    problems.add(name + series + ": no +Inf bucket");
                }
                if (withSum.contains(series) && !count.containsKey(series)) {
                    problems.add(name + series + ": sum without count");
                }
                if (count.containsKey(series) && infCount.containsKey(series)
                        && !count.get(series).equals(infCount.get(series))) {
                    problems.add(name + series + ": count differs from the +Inf bucket");
                }
            }
            return problems;
        }
    }

    private static double parse(String number) {
        String lower = number.toLowerCase();
        if (lower.endsWith("inf") || lower.endsWith("infinity")) {
            return lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        return lower.equals("nan") ? Double.NaN : Double.parseDouble(number);
    }
}
