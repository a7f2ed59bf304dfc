package io.tidegate.mqtt.discovery;

import io.tidegate.format.Label;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.MetricType;
import io.tidegate.format.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The metric a discovered entity becomes: its name (the device class, else the entity's name, else its object id;
 * then the Prometheus unit's suffix, {@link HomeAssistantUnits}; then {@code _total} for a {@code total_increasing}
 * sensor, which is a counter), its labels (the device's name, model, manufacturer and identifiers, and the entity's
 * name, each only when the config gives it) and how its value converts to the base unit.
 */
public record EntityMetric(String name, MetricType type, HomeAssistantUnits.Unit unit, List<Label> labels) {
    public static final String TOTAL_INCREASING = "total_increasing";

    public static EntityMetric of(DiscoveryConfig config) {
        String base = nameOf(config.deviceClass());
        if (base == null) {
            base = nameOf(config.name());
        }
        if (base == null) {
            base = nameOf(config.objectId());
        }
        if (base == null) {
            base = "value"; // an object id of nothing a name can hold, such as "--"
        }
        boolean binary = config.component().equals(DiscoveryConfig.BINARY_SENSOR);
        HomeAssistantUnits.Unit unit = binary ? null : HomeAssistantUnits.of(config.unit());
        String name = base;
        if (unit != null && unit.suffix() != null && !name.equals(unit.suffix()) && !name.endsWith("_" + unit.suffix())) {
            name = name + "_" + unit.suffix();
        }
        MetricType type = MetricType.GAUGE;
        if (!binary && TOTAL_INCREASING.equals(config.stateClass())) {
            type = MetricType.COUNTER;
            if (!name.endsWith("_total")) {
                name = name + "_total";
            }
        }
        return new EntityMetric(name, type, unit, labels(config));
    }

    /** {@code text} as a metric name in lower case, runs of {@code _} made one; null when nothing is left. */
    static String nameOf(String text) {
        if (text == null) {
            return null;
        }
        String name = Names.sanitiseMetricName(text.strip().toLowerCase(Locale.ROOT)).replace(':', '_')
                .replaceAll("_+", "_").replaceAll("^_|_$", "");
        if (name.isEmpty()) {
            return null;
        }
        return Character.isDigit(name.charAt(0)) ? "_" + name : name;
    }

    private static List<Label> labels(DiscoveryConfig config) {
        List<Label> labels = new ArrayList<>();
        DiscoveryConfig.Device device = config.device();
        if (device.identifiers().size() > 0) {
            labels.add(new Label("device_identifiers", String.join(",", device.identifiers())));
        }
        if (device.manufacturer() != null) {
            labels.add(new Label("device_manufacturer", device.manufacturer()));
        }
        if (device.model() != null) {
            labels.add(new Label("device_model", device.model()));
        }
        if (device.name() != null) {
            labels.add(new Label("device_name", device.name()));
        }
        if (config.name() != null) {
            labels.add(new Label("entity_name", config.name()));
        }
        return List.copyOf(labels); // in order of name
    }

    /** The family holding {@code value} (in the config's unit), converted to the base unit. */
    public MetricFamily family(double value) {
        double converted = unit == null ? value : unit.convert(value);
        return new MetricFamily(name, null, type, List.of(Metric.simple(labels, converted, null)));
    }
}
