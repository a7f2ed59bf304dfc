package io.tidegate.differential;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Seeded random push bodies in text format 0.0.4: valid ones, and invalid ones made by breaking a valid one in
 * one place. The same seed gives the same bodies, so a failure can be replayed.
 *
 * <p>Family names come from a small pool with a fixed type and HELP each, so that bodies pushed to different
 * groups usually agree and sometimes (a deliberately changed type, a shared series) conflict.
 */
public final class TextBodyGenerator {

    /** A generated body and, for an invalid one, how it was broken. */
    public record Body(String text, String note) {
    }

    private record Mutation(String name, BiFunction<List<String>, Random, Boolean> apply) {
    }

    private static final String[] NAMES = {
        "temperature_celsius", "requests_total", "queue_length", "latency_seconds",
        "payload_bytes", "build_info", "errors:rate5m", "battery_ratio",
    };
    private static final String[] TYPES = {
        "gauge", "counter", "gauge", "histogram", "summary", "gauge", "untyped", "untyped",
    };
    private static final String[] HELPS = {
        "Temperature in \"C\".", "Requests served.", "Items waiting \\\\ queued.", "Request latency.",
        "Payload size\\nin bytes.", "Build information.", "Errors per second over 5m.", "Battery charge, 0..1.",
    };
    private static final String[] LABEL_NAMES = {"host", "zone", "path", "code", "instance", "job", "x"};
    /** Label values as they appear between the quotes, i.e. already escaped. */
    private static final String[] LABEL_VALUES = {
        "a", "b", "c d", "quote\\\"d", "back\\\\slash", "line\\nbreak", "ünïcødé", "", "{}", "a,b", "=\\\"",
        "/metrics/job/x", "  spaced  ",
    };
    private static final String[] VALUES = {
        "0", "1", "-1", "3.14", "1e3", "1.5e-7", "+Inf", "-Inf", "NaN", "123456789", "0.1", "-0", "1e21",
        "12345678901234567890", "0.000001", "2.5E+10", "42", "7", "100", "0.25",
    };
    private static final String[] BAD_FLOATS = {"1.2.3", "abc", "0x", "1e", "--1", "1,5", "∞", "0x1g", "1e+"};

    private final Random random;

    public TextBodyGenerator(long seed) {
        this.random = new Random(seed);
    }

    public Body valid() {
        return new Body(String.join("", withNewlines(validLines())), "valid");
    }

    public Body invalid() {
        List<String> lines = validLines();
        for (int attempt = 0; attempt < 10; attempt++) {
            Mutation mutation = MUTATIONS.get(random.nextInt(MUTATIONS.size()));
            List<String> copy = new ArrayList<>(lines);
            if (mutation.apply.apply(copy, random)) {
                String text = String.join("", withNewlines(copy));
                if (mutation.name.equals("no final newline")) {
                    text = text.substring(0, text.length() - 1);
                }
                return new Body(text, "invalid: " + mutation.name);
            }
        }
        return new Body(String.join("", withNewlines(lines)) + "broken{\n", "invalid: appended broken line");
    }

    private List<String> validLines() {
        List<String> lines = new ArrayList<>();
        Set<Integer> chosen = new LinkedHashSet<>();
        int families = 1 + random.nextInt(3);
        while (chosen.size() < families) {
            chosen.add(random.nextInt(NAMES.length));
        }
        for (int index : chosen) {
            String name = NAMES[index];
            String type = random.nextInt(20) == 0 ? TYPES[random.nextInt(TYPES.length)] : TYPES[index];
            // always the same HELP per name: a HELP that differs between groups makes upstream serve one at random
            lines.add("# HELP " + name + " " + HELPS[index]);
            if (!type.equals("untyped") || random.nextBoolean()) {
                lines.add("# TYPE " + name + " " + type);
            }
            Set<String> labelSets = new LinkedHashSet<>();
            int series = 1 + random.nextInt(3);
            for (int i = 0; i < series; i++) {
                labelSets.add(labelSet());
            }
            for (String labels : labelSets) {
                lines.addAll(series(name, type, labels));
            }
        }
        return lines;
    }

    /** {@code {a="1",b="2"}} without the braces, possibly empty; distinct label names. */
    private String labelSet() {
        int count = random.nextInt(3);
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < count; i++) {
            names.add(LABEL_NAMES[random.nextInt(LABEL_NAMES.length)]);
        }
        List<String> pairs = new ArrayList<>();
        for (String name : names) {
            pairs.add(name + "=\"" + LABEL_VALUES[random.nextInt(LABEL_VALUES.length)] + "\"");
        }
        return String.join(",", pairs);
    }

    private List<String> series(String name, String type, String labels) {
        String prefix = labels.isEmpty() ? "" : labels + ",";
        String braces = labels.isEmpty() ? "" : "{" + labels + "}";
        List<String> lines = new ArrayList<>();
        switch (type) {
            case "histogram" -> {
                long a = random.nextInt(5);
                long b = a + random.nextInt(5);
                long c = b + random.nextInt(5);
                lines.add(name + "_bucket{" + prefix + "le=\"0.1\"} " + a);
                lines.add(name + "_bucket{" + prefix + "le=\"1\"} " + b);
                lines.add(name + "_bucket{" + prefix + "le=\"+Inf\"} " + c);
                lines.add(name + "_sum" + braces + " " + value());
                lines.add(name + "_count" + braces + " " + c);
            }
            case "summary" -> {
                lines.add(name + "{" + prefix + "quantile=\"0.5\"} " + value());
                lines.add(name + "{" + prefix + "quantile=\"0.99\"} " + value());
                lines.add(name + "_sum" + braces + " " + value());
                lines.add(name + "_count" + braces + " " + random.nextInt(1000));
            }
            default -> lines.add(name + braces + " " + value());
        }
        return lines;
    }

    private String value() {
        return switch (random.nextInt(4)) {
            case 0 -> Integer.toString(random.nextInt(100000) - 50000);
            case 1 -> Double.toString(random.nextGaussian() * Math.pow(10, random.nextInt(30) - 15));
            default -> VALUES[random.nextInt(VALUES.length)];
        };
    }

    private static List<String> withNewlines(List<String> lines) {
        List<String> out = new ArrayList<>();
        lines.forEach(line -> out.add(line + "\n"));
        return out;
    }

    private static int sampleLine(List<String> lines, Random random) {
        List<Integer> samples = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).startsWith("#")) {
                samples.add(i);
            }
        }
        return samples.isEmpty() ? -1 : samples.get(random.nextInt(samples.size()));
    }

    /** A line to break anywhere: not a HELP line, since a changed HELP makes upstream serve one at random. */
    private static int notHelpLine(List<String> lines, Random random) {
        int i;
        do {
            i = random.nextInt(lines.size());
        } while (lines.get(i).startsWith("# HELP "));
        return i;
    }

    private static int lineStartingWith(List<String> lines, String prefix, Random random) {
        List<Integer> found = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                found.add(i);
            }
        }
        return found.isEmpty() ? -1 : found.get(random.nextInt(found.size()));
    }

    private static final List<Mutation> MUTATIONS = List.of(
        new Mutation("truncated line", (lines, random) -> {
            int i = notHelpLine(lines, random);
            String line = lines.get(i);
            lines.set(i, line.substring(0, 1 + random.nextInt(Math.max(1, line.length() - 1))));
            return true;
        }),
        new Mutation("bad escape in label value", (lines, random) -> {
            int i = sampleLine(lines, random);
            if (i < 0 || !lines.get(i).contains("=\"")) {
                return false;
            }
            lines.set(i, lines.get(i).replaceFirst("=\"", "=\"\\\\q"));
            return true;
        }),
        new Mutation("bad float value", (lines, random) -> {
            int i = sampleLine(lines, random);
            if (i < 0) {
                return false;
            }
            String line = lines.get(i);
            lines.set(i, line.substring(0, line.lastIndexOf(' ') + 1) + BAD_FLOATS[random.nextInt(BAD_FLOATS.length)]);
            return true;
        }),
        new Mutation("duplicate TYPE line", (lines, random) -> {
            int i = lineStartingWith(lines, "# TYPE ", random);
            if (i < 0) {
                return false;
            }
            lines.add(i + 1, lines.get(i));
            return true;
        }),
        new Mutation("duplicate HELP line", (lines, random) -> {
            int i = lineStartingWith(lines, "# HELP ", random);
            if (i < 0) {
                return false;
            }
            lines.add(i, lines.get(i));
            return true;
        }),
        new Mutation("TYPE line after the samples", (lines, random) -> {
            int i = lineStartingWith(lines, "# TYPE ", random);
            if (i < 0) {
                return false;
            }
            lines.add(lines.remove(i));
            return true;
        }),
        new Mutation("unknown type", (lines, random) -> {
            int i = lineStartingWith(lines, "# TYPE ", random);
            if (i < 0) {
                return false;
            }
            lines.set(i, lines.get(i) + "x");
            return true;
        }),
        new Mutation("timestamp on a sample", (lines, random) -> {
            int i = sampleLine(lines, random);
            if (i < 0) {
                return false;
            }
            lines.set(i, lines.get(i) + " 1700000000000");
            return true;
        }),
        new Mutation("missing closing brace", (lines, random) -> {
            int i = sampleLine(lines, random);
            if (i < 0 || !lines.get(i).contains("}")) {
                return false;
            }
            lines.set(i, lines.get(i).replace("}", ""));
            return true;
        }),
        new Mutation("duplicate sample line", (lines, random) -> {
            int i = sampleLine(lines, random);
            if (i < 0) {
                return false;
            }
            lines.add(i, lines.get(i));
            return true;
        }),
        new Mutation("metric name starting with a digit", (lines, random) -> {
            int i = sampleLine(lines, random);
            if (i < 0) {
                return false;
            }
            lines.set(i, "9" + lines.get(i));
            return true;
        }),
        new Mutation("reserved label name", (lines, random) -> {
            int i = sampleLine(lines, random);
            if (i < 0) {
                return false;
            }
            String line = lines.get(i);
            lines.set(i, line.contains("{") ? line.replaceFirst("\\{", "{__reserved=\"r\",")
                    : line.replaceFirst(" ", "{__reserved=\"r\"} "));
            return true;
        }),
        new Mutation("invalid label name", (lines, random) -> {
            int i = sampleLine(lines, random);
            if (i < 0) {
                return false;
            }
            String line = lines.get(i);
            lines.set(i, line.contains("{") ? line.replaceFirst("\\{", "{a-b=\"r\",")
                    : line.replaceFirst(" ", "{a-b=\"r\"} "));
            return true;
        }),
        new Mutation("character replaced", (lines, random) -> {
            int i = notHelpLine(lines, random);
            String line = lines.get(i);
            int at = random.nextInt(line.length());
            char c = "{}\"=, #\\\t"
                    .charAt(random.nextInt(9));
            lines.set(i, line.substring(0, at) + c + line.substring(at + 1));
            return true;
        }),
        new Mutation("no final newline", (lines, random) -> true),
        new Mutation("carriage return line ends", (lines, random) -> {
            lines.replaceAll(line -> line + "\r");
            return true;
        }),
        new Mutation("U+FFFD in a label value", (lines, random) -> {
            int i = sampleLine(lines, random);
            if (i < 0 || !lines.get(i).contains("=\"")) {
                return false;
            }
            lines.set(i, lines.get(i).replaceFirst("=\"", "=\"\uFFFD"));
            return true;
        })
    );
}
