package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TopicFilterTest {
    @Test
    void matchesAsABrokerDoes() {
        TopicFilter siteA = TopicFilter.parse("metrics/job/site-a/#");
        assertThat(siteA.matches("metrics/job/site-a/instance/d1")).isTrue();
        assertThat(siteA.matches("metrics/job/site-a")).isTrue();
        assertThat(siteA.matches("metrics/job/site-b/instance/d1")).isFalse();
        assertThat(siteA.matches("metrics/job/site-ab")).isFalse();

        TopicFilter bySite = TopicFilter.parse("metrics/job/+/site/b/#");
        assertThat(bySite.matches("metrics/job/x/site/b/instance/1")).isTrue();
        assertThat(bySite.matches("metrics/job/x/instance/1/site/b")).isFalse();

        TopicFilter exact = TopicFilter.parse("metrics/job/+");
        assertThat(exact.matches("metrics/job/x")).isTrue();
        assertThat(exact.matches("metrics/job/x/y")).isFalse();
        assertThat(TopicFilter.parse("+/job/#").matches("$SYS/job/x")).isFalse();
    }

    @Test
    void aFilterLiesUnderThePrefixWhenItStartsWithItsLevels() {
        assertThat(TopicFilter.parse("site1/metrics/job/#").liesUnder("site1/metrics")).isTrue();
        assertThat(TopicFilter.parse("site1/+/job/#").liesUnder("site1/metrics")).isFalse();
        assertThat(TopicFilter.parse("site1/#").liesUnder("site1/metrics")).isFalse();
        assertThat(TopicFilter.parse("metricsx/job/#").liesUnder("metrics")).isFalse();
    }

    @Test
    void anyOfSeveralFilters() {
        List<TopicFilter> filters = List.of(TopicFilter.parse("metrics/job/a/#"), TopicFilter.parse("metrics/job/b/#"));
        assertThat(TopicFilter.anyMatches(filters, "metrics/job/b/i/1")).isTrue();
        assertThat(TopicFilter.anyMatches(filters, "metrics/job/c/i/1")).isFalse();
    }
}
