package io.tidegate.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.mqtt.MqttProtocol;
import io.tidegate.mqtt.MqttSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The flags the status page shows are those Tidegate runs with, defaults worked out at startup included. */
class WebSettingsTest {
    private final Map<String, String> given = new LinkedHashMap<>(Map.of(
            "mqtt.client-id", "", "mqtt.status-topic", "", "mqtt.topic-prefix", "fleet"));
    private final WebSettings asGiven = new WebSettings(List.of(":9091"), "", "", "", "/metrics", false, false, 1 << 20, true, given);

    @Test
    void theResolvedClientIdAndStatusTopicShowInsteadOfBlanks() {
        MqttSettings mqtt = new MqttSettings("", ":1883", "tidegate-gw7", "", null, null, MqttProtocol.values()[0],
                List.of("fleet/job/#"), "fleet/tidegate/status", 60, null, null);

        WebSettings running = asGiven.runningWith(mqtt);

        assertThat(running.flagValues()).containsEntry("mqtt.client-id", "tidegate-gw7")
                .containsEntry("mqtt.status-topic", "fleet/tidegate/status")
                .containsEntry("mqtt.topic-prefix", "fleet");
        assertThat(running.mqttEnabled()).isTrue();
    }

    @Test
    void withMqttOffTheFlagsStayAsGiven() {
        WebSettings running = asGiven.runningWith(null);

        assertThat(running.flagValues()).isEqualTo(given);
        assertThat(running.mqttEnabled()).isFalse();
    }
}
