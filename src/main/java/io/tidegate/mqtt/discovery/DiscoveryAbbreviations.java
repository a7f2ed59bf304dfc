package io.tidegate.mqtt.discovery;

import java.util.Map;

/**
 * The abbreviated keys of Home Assistant's MQTT discovery ({@code homeassistant/components/mqtt/abbreviations.py},
 * its {@code ABBREVIATIONS} and {@code DEVICE_ABBREVIATIONS}), as far as the keys Tidegate reads and their
 * neighbours go: a config may spell any key either way, and Tidegate reads both.
 */
final class DiscoveryAbbreviations {
    private DiscoveryAbbreviations() {
    }

    /** Abbreviations of a config's own keys, and of the keys of an {@code availability} list's entries. */
    static final Map<String, String> CONFIG = Map.ofEntries(
            Map.entry("avty", "availability"),
            Map.entry("avty_mode", "availability_mode"),
            Map.entry("avty_t", "availability_topic"),
            Map.entry("avty_tpl", "availability_template"),
            Map.entry("dev", "device"),
            Map.entry("dev_cla", "device_class"),
            Map.entry("en", "enabled_by_default"),
            Map.entry("ent_cat", "entity_category"),
            Map.entry("exp_aft", "expire_after"),
            Map.entry("frc_upd", "force_update"),
            Map.entry("ic", "icon"),
            Map.entry("json_attr", "json_attributes"),
            Map.entry("json_attr_t", "json_attributes_topic"),
            Map.entry("json_attr_tpl", "json_attributes_template"),
            Map.entry("lrst_t", "last_reset_topic"),
            Map.entry("lrst_val_tpl", "last_reset_value_template"),
            Map.entry("obj_id", "object_id"),
            Map.entry("off_dly", "off_delay"),
            Map.entry("pl_avail", "payload_available"),
            Map.entry("pl_not_avail", "payload_not_available"),
            Map.entry("pl_off", "payload_off"),
            Map.entry("pl_on", "payload_on"),
            Map.entry("stat_cla", "state_class"),
            Map.entry("stat_t", "state_topic"),
            Map.entry("stat_tpl", "state_template"),
            Map.entry("stat_val_tpl", "state_value_template"),
            Map.entry("t", "topic"),
            Map.entry("uniq_id", "unique_id"),
            Map.entry("unit_of_meas", "unit_of_measurement"),
            Map.entry("val_tpl", "value_template"));

    /** Abbreviations of the keys of a config's {@code device} block. */
    static final Map<String, String> DEVICE = Map.of(
            "cns", "connections",
            "cu", "configuration_url",
            "ids", "identifiers",
            "mf", "manufacturer",
            "mdl", "model",
            "mdl_id", "model_id",
            "hw", "hw_version",
            "sw", "sw_version",
            "sa", "suggested_area",
            "sn", "serial_number");
}
