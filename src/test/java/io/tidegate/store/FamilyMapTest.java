package io.tidegate.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.MetricType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FamilyMapTest {
    private static StoredFamily family(String name, double value) {
        return new StoredFamily(new MetricFamily(name, null, MetricType.GAUGE, List.of(Metric.simple(List.of(), value, null))),
                0, StoredFamily.NEVER, 0);
    }

    private static FamilyMap of(StoredFamily... families) {
        Map<String, StoredFamily> map = new HashMap<>();
        for (StoredFamily family : families) {
            map.put(family.name(), family);
        }
        return FamilyMap.of(map);
    }

    @Test
    void aPutOfTheSameNamesGivesTheNewFamiliesInNameOrder() {
        FamilyMap held = of(family("temperature", 21), family("battery", 97));
        StoredFamily temperature = family("temperature", 22);
        StoredFamily battery = family("battery", 96);

        FamilyMap next = held.replacing(List.of(temperature, battery), false);

        assertThat(next).containsExactly(Map.entry("battery", battery), Map.entry("temperature", temperature));
        assertThat(next.get("temperature")).isSameAs(temperature);
        assertThat(next.seriesCount()).isEqualTo(2);
    }

    @Test
    void aPutOfOtherNamesIsNotOneToMakeInPlace() {
        FamilyMap held = of(family("temperature", 21), family("battery", 97));

        assertThat(held.replacing(List.of(family("temperature", 22)), false)).isNull();
        assertThat(held.replacing(List.of(family("temperature", 22), family("humidity", 40)), false)).isNull();
        assertThat(held.replacing(List.of(family("temperature", 22), family("battery", 1), family("humidity", 40)),
                false)).isNull();
    }

    @Test
    void aPostKeepsTheFamiliesItDoesNotNameAndCannotAddOne() {
        StoredFamily battery = family("battery", 97);
        FamilyMap held = of(family("temperature", 21), battery);
        StoredFamily temperature = family("temperature", 22);

        FamilyMap next = held.replacing(List.of(temperature), true);

        assertThat(next).containsExactly(Map.entry("battery", battery), Map.entry("temperature", temperature));
        assertThat(held.get("temperature").family().metrics().get(0).value()).isEqualTo(21);
        assertThat(held.replacing(List.of(family("humidity", 40)), true)).isNull();
    }

    @Test
    void aLargeGroupIsReplacedInPlaceToo() {
        StoredFamily[] families = IntStream.range(0, 40).mapToObj(i -> family("f" + (100 + i), i)).toArray(StoredFamily[]::new);
        FamilyMap held = of(families);
        StoredFamily changed = family("f120", -1);

        FamilyMap next = held.replacing(List.of(changed), true);

        assertThat(next).hasSize(40);
        assertThat(next.get("f120")).isSameAs(changed);
        assertThat(next.get("f139")).isSameAs(families[39]);
        assertThat(next.nameAt(0)).isEqualTo("f100");
    }
}
