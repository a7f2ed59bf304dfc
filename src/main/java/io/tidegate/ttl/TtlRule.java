package io.tidegate.ttl;

import io.tidegate.format.Durations;
import io.tidegate.key.GroupingKey;
import io.tidegate.store.Source;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One server TTL rule (SPEC §3, item 3): groups whose grouping key satisfies every matcher, and that
 * arrived over the given source if one is given, get this TTL. A TTL of zero means never expire.
 *
 * @param matchers all must match; none matches every key
 * @param source the source the rule is limited to; empty when it applies to both
 * @param ttl not negative; zero means never expire
 */
public record TtlRule(List<LabelMatcher> matchers, Optional<Source.Kind> source, Duration ttl) {
    public TtlRule {
        matchers = List.copyOf(matchers);
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("negative ttl " + ttl);
        }
    }

    public boolean appliesTo(GroupingKey key, Source.Kind kind) {
        if (source.isPresent() && source.get() != kind) {
            return false;
        }
        for (LabelMatcher matcher : matchers) {
            if (!matcher.matches(key.get(matcher.name()))) {
                return false;
            }
        }
        return true;
    }

    /** For logs: {@code {job=~"sensor.*", room!="lab"} source=mqtt ttl=5m}. */
    @Override
    public String toString() {
        return matchers.stream().map(LabelMatcher::toString).collect(Collectors.joining(", ", "{", "}"))
                + " source=" + source.map(Source.Kind::wireName).orElse("any")
                + " ttl=" + (ttl.isZero() ? "0 (never expire)" : Durations.format(ttl));
    }
}
