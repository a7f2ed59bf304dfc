package io.tidegate.config;

import io.tidegate.store.GroupingKey;
import io.tidegate.store.Source;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One server TTL rule (SPEC §3, item 3): groups whose grouping key satisfies every matcher, and that
 * arrived over the given source if one is given, get this TTL. A TTL of zero means never expire.
 * Immutable.
 */
public final class TtlRule {
    private final List<LabelMatcher> matchers;
    private final Source.Kind source;
    private final Duration ttl;

    /**
     * @param matchers all must match; none matches every key
     * @param sourceOrNull the source the rule is limited to, or {@code null} for both
     * @param ttl not negative; zero means never expire
     */
    public TtlRule(List<LabelMatcher> matchers, Source.Kind sourceOrNull, Duration ttl) {
        this.matchers = List.copyOf(matchers);
        this.source = sourceOrNull;
        this.ttl = Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("negative ttl " + ttl);
        }
    }

    public boolean appliesTo(GroupingKey key, Source.Kind kind) {
        if (source != null && source != kind) {
            return false;
        }
        for (LabelMatcher matcher : matchers) {
            if (!matcher.matches(key.get(matcher.name()))) {
                return false;
            }
        }
        return true;
    }

    public List<LabelMatcher> matchers() {
        return matchers;
    }

    /** The source the rule is limited to; empty when it applies to both. */
    public Optional<Source.Kind> source() {
        return Optional.ofNullable(source);
    }

    /** The TTL; zero means never expire. */
    public Duration ttl() {
        return ttl;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TtlRule rule
                && matchers.equals(rule.matchers) && source == rule.source && ttl.equals(rule.ttl);
    }

    @Override
    public int hashCode() {
        return Objects.hash(matchers, source, ttl);
    }

    /** For logs: {@code {job=~"sensor.*", room!="lab"} source=mqtt ttl=5m}. */
    @Override
    public String toString() {
        return matchers.stream().map(LabelMatcher::toString).collect(Collectors.joining(", ", "{", "}"))
                + " source=" + (source == null ? "any" : source.wireName())
                + " ttl=" + (ttl.isZero() ? "0 (never expire)" : Durations.format(ttl));
    }
}
