package io.tidegate.differential;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Everything one replay found, rendered for a human. */
public record DifferentialReport(String upstreamName, String candidateName, int requests, List<Finding> findings,
                                 List<KnownDifference> knownDifferences, Duration took,
                                 List<String> slowSteps) {

    public List<Finding> unexpected() {
        return findings.stream().filter(f -> !f.isExpected()).collect(Collectors.toList());
    }

    public List<Finding> expected() {
        return findings.stream().filter(Finding::isExpected).collect(Collectors.toList());
    }

    /** Everything, for the report file. */
    public String render() {
        return render(Integer.MAX_VALUE);
    }

    /** At most {@code maxFindings} findings of each kind, for a failure message. */
    public String render(int maxFindings) {
        StringBuilder out = new StringBuilder();
        List<Finding> unexpected = unexpected();
        List<Finding> expected = expected();
        out.append("Differential test: ").append(requests).append(" requests replayed against ")
                .append(upstreamName).append(" and ").append(candidateName).append(" in ")
                .append(took.toMillis()).append(" ms\n");
        out.append(unexpected.size()).append(" unexpected differences, ")
                .append(expected.size()).append(" explained by the known-differences table\n");
        Map<Aspect, Long> byAspect = new TreeMap<>(unexpected.stream()
                .collect(Collectors.groupingBy(Finding::aspect, Collectors.counting())));
        if (!byAspect.isEmpty()) {
            out.append("unexpected, by aspect: ").append(byAspect).append('\n');
        }
        if (!slowSteps.isEmpty()) {
            out.append("slow steps (comparison included): ").append(slowSteps.size()).append('\n');
            slowSteps.stream().limit(20).forEach(s -> out.append("  ").append(s).append('\n'));
        }
        out.append('\n');
        if (!unexpected.isEmpty()) {
            out.append("=== UNEXPECTED DIFFERENCES ===\n\n");
            renderGroupedByRequest(unexpected.stream().limit(maxFindings).collect(Collectors.toList()), out);
            if (unexpected.size() > maxFindings) {
                out.append("... and ").append(unexpected.size() - maxFindings).append(" more\n\n");
            }
        }
        if (!expected.isEmpty()) {
            out.append("=== EXPLAINED BY KNOWN DIFFERENCES ===\n\n");
            renderGroupedByRequest(expected.stream().limit(maxFindings).collect(Collectors.toList()), out);
        }
        out.append("=== KNOWN DIFFERENCES TABLE ===\n");
        if (knownDifferences.isEmpty()) {
            out.append("(empty)\n");
        }
        knownDifferences.forEach(k -> out.append("- ").append(k).append('\n'));
        return out.toString();
    }

    private void renderGroupedByRequest(List<Finding> list, StringBuilder out) {
        int step = -1;
        for (Finding finding : list) {
            if (finding.step() != step) {
                out.append(step == -1 ? "" : "\n").append(finding.renderRequest(upstreamName, candidateName));
                step = finding.step();
            }
            out.append(finding.renderDifference());
        }
        out.append('\n');
    }
}
