package io.tidegate.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.format.Label;
import io.tidegate.format.LabelList;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.MetricType;
import io.tidegate.key.GroupingKey;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GroupingLabelsTest {
    private static final GroupingKey KEY = GroupingKey.of(Map.of("job", "zigbee2mqtt", "device", "kitchen"));

    @Test
    void aSeriesWithoutLabelsOfItsOwnGetsTheKeyAndAnEmptyInstanceSortedByName() {
        MetricFamily pushed = new MetricFamily("temperature", null, MetricType.GAUGE,
                List.of(Metric.simple(List.of(), 21.5, null)));

        MetricFamily held = GroupingLabels.apply(pushed, KEY, null);

        assertThat(held.metrics().get(0).labels()).containsExactly(new Label("device", "kitchen"),
                new Label("instance", ""), new Label("job", "zigbee2mqtt"));
    }

    @Test
    void everySeriesWithoutLabelsOfItsOwnSharesTheKeysOneLabelListWhichKeepsItsRenderedText() {
        MetricFamily pushed = new MetricFamily("temperature", null, MetricType.GAUGE,
                List.of(Metric.simple(List.of(), 21.5, null)));

        List<Label> first = GroupingLabels.apply(pushed, KEY, null).metrics().get(0).labels();
        List<Label> again = GroupingLabels.apply(pushed, KEY, null).metrics().get(0).labels();

        // a copy would be a plain list, and every scrape would render the key's labels again for every family
        assertThat(first).isInstanceOf(LabelList.class).isSameAs(again).isSameAs(GroupingLabels.forGroup(KEY));
    }

    @Test
    void aBodysOwnLabelsKeepTheirValuesUnlessTheKeyNamesThem() {
        MetricFamily pushed = new MetricFamily("temperature", null, MetricType.GAUGE, List.of(Metric.simple(
                List.of(new Label("device", "hall"), new Label("sensor", "a")), 21.5, null)));

        MetricFamily held = GroupingLabels.apply(pushed, KEY, null);

        assertThat(held.metrics().get(0).labels()).containsExactly(new Label("device", "kitchen"),
                new Label("instance", ""), new Label("job", "zigbee2mqtt"), new Label("sensor", "a"));
    }

    @Test
    void aSeriesWhoseLabelsComeOutAsTheHeldOnesTakesTheHeldListAndItsNewValue() {
        MetricFamily first = new MetricFamily("temperature", null, MetricType.GAUGE, List.of(
                Metric.simple(List.of(new Label("sensor", "a")), 21.5, null),
                Metric.simple(List.of(new Label("sensor", "b")), 19.0, null)));
        MetricFamily held = GroupingLabels.apply(first, KEY, null);
        MetricFamily next = new MetricFamily("temperature", null, MetricType.GAUGE, List.of(
                Metric.simple(List.of(new Label("sensor", "a")), 22.0, null),
                Metric.simple(List.of(new Label("sensor", "c")), 18.5, null),
                Metric.simple(List.of(new Label("sensor", "d")), 17.0, null)));

        MetricFamily written = GroupingLabels.apply(next, KEY, held);

        assertThat(written.metrics().get(0).labels()).isSameAs(held.metrics().get(0).labels());
        assertThat(written.metrics().get(0).value()).isEqualTo(22.0);
        // labels that differ from the held series at the same place, or a place the held family lacks: their own
        assertThat(written.metrics().get(1).labels()).containsExactly(new Label("device", "kitchen"),
                new Label("instance", ""), new Label("job", "zigbee2mqtt"), new Label("sensor", "c"));
        assertThat(written.metrics().get(2).labels()).containsExactly(new Label("device", "kitchen"),
                new Label("instance", ""), new Label("job", "zigbee2mqtt"), new Label("sensor", "d"));
        assertThat(written).isEqualTo(GroupingLabels.apply(next, KEY, null));
    }

    @Test
    void theKeyStillWinsOverABodyLabelWhenTheHeldSeriesHadTheBodysValue() {
        MetricFamily pushed = new MetricFamily("temperature", null, MetricType.GAUGE, List.of(Metric.simple(
                List.of(new Label("device", "hall"), new Label("sensor", "a")), 21.5, null)));
        MetricFamily heldWithoutKey = new MetricFamily("temperature", null, MetricType.GAUGE, List.of(Metric.simple(
                List.of(new Label("device", "hall"), new Label("instance", ""), new Label("job", "zigbee2mqtt"),
                        new Label("sensor", "a")), 20.0, null)));

        MetricFamily written = GroupingLabels.apply(pushed, KEY, heldWithoutKey);

        assertThat(written.metrics().get(0).labels()).containsExactly(new Label("device", "kitchen"),
                new Label("instance", ""), new Label("job", "zigbee2mqtt"), new Label("sensor", "a"));
    }
}
