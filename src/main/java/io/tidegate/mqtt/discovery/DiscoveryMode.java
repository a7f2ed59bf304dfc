package io.tidegate.mqtt.discovery;

/** {@code --mqtt.discovery}: which discovery configs map announced sensors to series without rules. */
public enum DiscoveryMode {
    /** None (the default): nothing is stored that was not sent to Tidegate's topics or a rule's. */
    OFF("off"),
    /** Home Assistant MQTT discovery ({@link HomeAssistantDiscovery}). */
    HOMEASSISTANT("homeassistant");

    private final String spelling;

    DiscoveryMode(String spelling) {
        this.spelling = spelling;
    }

    @Override
    public String toString() {
        return spelling;
    }
}
