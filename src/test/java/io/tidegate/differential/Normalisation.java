package io.tidegate.differential;

import java.util.List;
import java.util.Set;

/**
 * What the comparison of stored state leaves out or blurs, because it legitimately differs between two gateways.
 *
 * @param selfMetricPrefixes name prefixes of each gateway's own metric families; such families are dropped
 * @param timestampFamilies  families whose values are wall-clock times; only "zero or not" of each value is kept
 */
public record Normalisation(List<String> selfMetricPrefixes, Set<String> timestampFamilies) {

    public boolean isSelfMetric(String familyName) {
        return selfMetricPrefixes.stream().anyMatch(familyName::startsWith);
    }

    public boolean isTimestampFamily(String familyName) {
        return timestampFamilies.contains(familyName);
    }

    /** A timestamp value reduced to what both sides must agree on. */
    public static String zeroOrNot(String value) {
        try {
            return Double.parseDouble(value) == 0 ? "0" : "<non-zero time>";
        } catch (NumberFormatException e) {
            return value;
        }
    }
}
