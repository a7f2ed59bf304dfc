package io.tidegate.mqtt;

/** Which MQTT version Tidegate speaks to the broker ({@code --mqtt.protocol}). */
public enum MqttProtocol {
    /** MQTT 5, or 3.1.1 when the broker refuses 5. */
    AUTO("auto"),
    MQTT_5("5"),
    MQTT_3_1_1("3.1.1");

    private final String spelling;

    MqttProtocol(String spelling) {
        this.spelling = spelling;
    }

    /** As the flag spells it. */
    @Override
    public String toString() {
        return spelling;
    }
}
