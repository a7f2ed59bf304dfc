package io.tidegate.differential;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A {@code /metrics} text (format 0.0.4) answer, reduced to what two gateways must agree on: the families in
 * their order, each family's HELP and TYPE lines, and each family's series lines as a sorted multiset.
 *
 * <p>Series order <em>within</em> a family is deliberately not compared: upstream sorts the series of a family
 * by label values, Tidegate lists them group by group, and Prometheus does not care. Family order is compared
 * (upstream sorts families by name). Self metrics are dropped and timestamp values blurred, see
 * {@link Normalisation}.
 */
public final class Exposition {

    /** One family: HELP and TYPE lines as served (or {@code null} if absent), series lines sorted. */
    record Family(String name, String helpLine, String typeLine, List<String> series) {
    }

    private final List<Family> families;

    private Exposition(List<Family> families) {
        this.families = families;
    }

    public static Exposition parse(String text, Normalisation normalisation) {
        List<FamilyBuilder> parsed = new ArrayList<>();
        FamilyBuilder current = null;
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                String name = secondToken(line.substring(7));
                boolean alreadyHasThisLine = current != null
                        && (line.startsWith("# HELP ") ? current.helpLine != null : current.typeLine != null);
                if (current == null || !current.name.equals(name) || alreadyHasThisLine || !current.series.isEmpty()) {
                    current = new FamilyBuilder(name);
                    parsed.add(current);
                }
                if (line.startsWith("# HELP ")) {
                    current.helpLine = line;
                } else {
                    current.typeLine = line;
                }
            } else if (line.startsWith("#")) {
                continue;
            } else {
                if (current == null || !belongsTo(sampleName(line), current.name)) {
                    current = new FamilyBuilder(sampleName(line));
                    parsed.add(current);
                }
                current.series.add(line);
            }
        }
        List<Family> families = new ArrayList<>();
        for (FamilyBuilder family : parsed) {
            if (normalisation.isSelfMetric(family.name)) {
                continue;
            }
            List<String> series = family.series.stream()
                    .map(line -> normalisation.isTimestampFamily(family.name) ? blurValue(line) : line)
                    .sorted()
                    .collect(Collectors.toList());
            families.add(new Family(family.name, family.helpLine, family.typeLine, series));
        }
        return new Exposition(families);
    }

    /** Human-readable differences, upstream first; empty if the two agree. */
    public List<String> differencesTo(Exposition candidate, String upstreamName, String candidateName) {
        List<String> out = new ArrayList<>();
        List<String> upstreamOrder = names(this);
        List<String> candidateOrder = names(candidate);
        if (!upstreamOrder.equals(candidateOrder)) {
            out.add("family order differs:\n      " + upstreamName + ": " + upstreamOrder
                    + "\n      " + candidateName + ": " + candidateOrder);
        }
        Map<String, Family> theirs = byName(candidate);
        for (Family mine : families) {
            Family other = theirs.remove(mine.name);
            if (other == null) {
                out.add("family " + mine.name + " only in " + upstreamName + ": " + mine.series);
                continue;
            }
            if (!Objects.equals(mine.helpLine, other.helpLine)) {
                out.add("HELP of " + mine.name + " differs:\n      " + upstreamName + ": " + show(mine.helpLine)
                        + "\n      " + candidateName + ": " + show(other.helpLine));
            }
            if (!Objects.equals(mine.typeLine, other.typeLine)) {
                out.add("TYPE of " + mine.name + " differs:\n      " + upstreamName + ": " + show(mine.typeLine)
                        + "\n      " + candidateName + ": " + show(other.typeLine));
            }
            List<String> onlyMine = minus(mine.series, other.series);
            List<String> onlyTheirs = minus(other.series, mine.series);
            for (String line : onlyMine) {
                out.add("series only in " + upstreamName + ": " + Excerpts.quoted(line, 300));
            }
            for (String line : onlyTheirs) {
                out.add("series only in " + candidateName + ": " + Excerpts.quoted(line, 300));
            }
        }
        for (Family other : theirs.values()) {
            out.add("family " + other.name + " only in " + candidateName + ": " + other.series);
        }
        return out;
    }

    public int seriesCount() {
        return families.stream().mapToInt(f -> f.series.size()).sum();
    }

    private static List<String> minus(List<String> left, List<String> right) {
        List<String> rest = new ArrayList<>(left);
        for (String line : right) {
            rest.remove(line);
        }
        return rest;
    }

    private static List<String> names(Exposition exposition) {
        return exposition.families.stream().map(Family::name).collect(Collectors.toList());
    }

    private static Map<String, Family> byName(Exposition exposition) {
        Map<String, Family> map = new LinkedHashMap<>();
        for (Family family : exposition.families) {
            map.putIfAbsent(family.name, family);
        }
        return map;
    }

    private static String show(String line) {
        return line == null ? "(none)" : Excerpts.quoted(line, 300);
    }

    private static String secondToken(String rest) {
        int space = rest.indexOf(' ');
        return space < 0 ? rest : rest.substring(0, space);
    }

    private static String sampleName(String line) {
        int end = 0;
        while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
            end++;
        }
        return line.substring(0, end);
    }

    private static boolean belongsTo(String sampleName, String familyName) {
        return sampleName.equals(familyName)
                || sampleName.equals(familyName + "_bucket")
                || sampleName.equals(familyName + "_sum")
                || sampleName.equals(familyName + "_count");
    }

    /** Replaces the value (the last token; these series carry no timestamp) by zero-or-not. */
    private static String blurValue(String line) {
        int space = line.lastIndexOf(' ');
        if (space < 0) {
            return line;
        }
        return line.substring(0, space + 1) + Normalisation.zeroOrNot(line.substring(space + 1));
    }

    private static final class FamilyBuilder {
        final String name;
        String helpLine;
        String typeLine;
        final List<String> series = new ArrayList<>();

        FamilyBuilder(String name) {
            this.name = name;
        }
    }
}
