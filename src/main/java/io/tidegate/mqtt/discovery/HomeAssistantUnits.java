package io.tidegate.mqtt.discovery;

import io.tidegate.format.Names;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Home Assistant's units of measurement (spelled as its {@code homeassistant/const.py} spells them:
 * {@code UnitOfTemperature}, {@code UnitOfPower}, {@code UnitOfEnergy}, …) turned into Prometheus base units: the
 * suffix of the metric name and how a value converts ({@code kWh} to joules, {@code °F} to degrees Celsius). A unit
 * not in the table keeps its value and becomes its own suffix, written as a metric name may hold it
 * ({@code ppm} → {@code _ppm}, {@code µg/m³} → {@code _micrograms_per_cubic_meter}).
 */
public final class HomeAssistantUnits {
    private HomeAssistantUnits() {
    }

    /** A unit as Prometheus names it: the name's suffix (without the leading {@code _}), and value × scale + offset. */
    public record Unit(String suffix, double scale, double offset) {
        public double convert(double value) {
            return value * scale + offset;
        }
    }

    private static final Map<String, Unit> TABLE = new HashMap<>();

    private static void put(String suffix, double scale, String... units) {
        for (String unit : units) {
            TABLE.put(unit, new Unit(suffix, scale, 0));
        }
    }

    static {
        put("celsius", 1, "°C", "℃");
        TABLE.put("°F", new Unit("celsius", 5.0 / 9.0, -32 * 5.0 / 9.0));
        TABLE.put("℉", new Unit("celsius", 5.0 / 9.0, -32 * 5.0 / 9.0));
        put("kelvin", 1, "K");
        put("percent", 1, "%");
        put("watts", 1e-3, "mW");
        put("watts", 1, "W");
        put("watts", 1e3, "kW");
        put("watts", 1e6, "MW");
        put("watts", 1e9, "GW");
        put("joules", 3600, "Wh");
        put("joules", 3.6e6, "kWh");
        put("joules", 3.6e9, "MWh");
        put("joules", 3.6e12, "GWh");
        put("joules", 1, "J");
        put("joules", 1e3, "kJ");
        put("joules", 1e6, "MJ");
        put("joules", 1e9, "GJ");
        put("volts", 1e-6, "µV", "μV");
        put("volts", 1e-3, "mV");
        put("volts", 1, "V");
        put("volts", 1e3, "kV");
        put("amperes", 1e-3, "mA");
        put("amperes", 1, "A");
        put("voltamperes", 1, "VA");
        put("voltamperes", 1e3, "kVA");
        put("hertz", 1, "Hz");
        put("hertz", 1e3, "kHz");
        put("hertz", 1e6, "MHz");
        put("hertz", 1e9, "GHz");
        put("seconds", 1e-6, "μs", "µs");
        put("seconds", 1e-3, "ms");
        put("seconds", 1, "s");
        put("seconds", 60, "min");
        put("seconds", 3600, "h");
        put("seconds", 86400, "d");
        put("seconds", 604800, "w");
        put("bytes", 1.0 / 8, "bit");
        put("bytes", 1e3 / 8, "kbit");
        put("bytes", 1e6 / 8, "Mbit");
        put("bytes", 1e9 / 8, "Gbit");
        put("bytes", 1, "B");
        put("bytes", 1e3, "kB");
        put("bytes", 1e6, "MB");
        put("bytes", 1e9, "GB");
        put("bytes", 1e12, "TB");
        put("bytes", 1024, "KiB");
        put("bytes", 1024.0 * 1024, "MiB");
        put("bytes", 1024.0 * 1024 * 1024, "GiB");
        put("bytes", 1024.0 * 1024 * 1024 * 1024, "TiB");
        put("bytes_per_second", 1, "B/s");
        put("bytes_per_second", 1e3, "kB/s");
        put("bytes_per_second", 1e6, "MB/s");
        put("bytes_per_second", 1e3 / 8, "kbit/s");
        put("bytes_per_second", 1e6 / 8, "Mbit/s");
        put("bytes_per_second", 1e9 / 8, "Gbit/s");
        put("pascals", 1e-3, "mPa");
        put("pascals", 1, "Pa");
        put("pascals", 100, "hPa", "mbar");
        put("pascals", 1e3, "kPa", "cbar");
        put("pascals", 1e5, "bar");
        put("pascals", 133.322387415, "mmHg");
        put("pascals", 3386.389, "inHg");
        put("pascals", 6894.757293168, "psi");
        put("lux", 1, "lx");
        put("meters", 1e-3, "mm");
        put("meters", 1e-2, "cm");
        put("meters", 1, "m");
        put("meters", 1e3, "km");
        put("meters", 0.0254, "in");
        put("meters", 0.3048, "ft");
        put("meters", 0.9144, "yd");
        put("meters", 1609.344, "mi");
        put("cubic_meters", 1e-6, "mL");
        put("cubic_meters", 1e-3, "L");
        put("cubic_meters", 1, "m³");
        put("cubic_meters", 0.028316846592, "ft³");
        put("cubic_meters", 2.8316846592, "CCF");
        put("cubic_meters", 0.003785411784, "gal");
        put("cubic_meters_per_second", 1.0 / 3600, "m³/h");
        put("cubic_meters_per_second", 1e-3 / 60, "L/min");
        put("cubic_meters_per_second", 1e-3 / 3600, "L/h");
        put("meters_per_second", 1, "m/s");
        put("meters_per_second", 1 / 3.6, "km/h");
        put("meters_per_second", 0.44704, "mph");
        put("grams", 1e-6, "µg", "μg");
        put("grams", 1e-3, "mg");
        put("grams", 1, "g");
        put("grams", 1e3, "kg");
        put("grams", 453.59237, "lb");
        put("grams", 28.349523125, "oz");
        put("micrograms_per_cubic_meter", 1, "µg/m³", "μg/m³");
        put("milligrams_per_cubic_meter", 1, "mg/m³");
        put("ppm", 1, "ppm");
        put("ppb", 1, "ppb");
        put("dbm", 1, "dBm");
        put("db", 1, "dB");
        put("degrees", 1, "°");
        put("watts_per_square_meter", 1, "W/m²");
    }

    /** The unit {@code unit} is in Prometheus terms; null for no unit (none given, or empty). */
    public static Unit of(String unit) {
        if (unit == null || unit.isBlank()) {
            return null;
        }
        Unit known = TABLE.get(unit.strip());
        return known != null ? known : new Unit(suffix(unit.strip()), 1, 0);
    }

    /** An unknown unit as a name's suffix: {@code /} read as "per", the rest as a metric name may hold it. */
    static String suffix(String unit) {
        String spelled = unit.toLowerCase(Locale.ROOT)
                .replace("/", "_per_")
                .replace("%", "percent")
                .replace("°", "degrees_")
                .replace("µ", "u").replace("μ", "u")
                .replace("²", "2").replace("³", "3");
        String name = Names.sanitiseMetricName(spelled).replaceAll("_+", "_");
        name = name.replaceAll("^_+|_+$", "");
        return name.isEmpty() ? null : name;
    }
}
