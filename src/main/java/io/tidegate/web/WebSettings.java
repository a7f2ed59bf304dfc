package io.tidegate.web;

import io.tidegate.mqtt.MqttSettings;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the HTTP side is told at startup, read from the {@code --web.*} and {@code --push.*} flags by
 * the command line.
 *
 * @param listenAddresses the {@code --web.listen-address} values to listen on, as given ({@code :9091}), one or more
 * @param webConfigFile {@code --web.config.file}: TLS and basic auth; empty for none
 * @param routePrefix {@code --web.route-prefix}, empty when not given
 * @param externalUrl {@code --web.external-url}, whose path is the prefix when no route prefix is given
 * @param telemetryPath {@code --web.telemetry-path}
 * @param enableLifecycle {@code --web.enable-lifecycle}: {@code /-/quit} and {@code /-/reload}
 * @param enableAdminApi {@code --web.enable-admin-api}: {@code /api/v1/admin/wipe}
 * @param maxBodySize {@code --push.max-body-size} in bytes
 * @param checkConsistency the opposite of {@code --push.disable-consistency-check}: a checked push is answered 200, an unchecked one 202
 * @param flagValues every flag with its value, as {@code /api/v1/status} and the page show them
 * @param mqttEnabled whether Tidegate takes part in MQTT (a broker of its own or {@code --mqtt.url})
 */
public record WebSettings(List<String> listenAddresses, String webConfigFile, String routePrefix, String externalUrl,
        String telemetryPath, boolean enableLifecycle, boolean enableAdminApi, long maxBodySize,
        boolean checkConsistency, Map<String, String> flagValues, boolean mqttEnabled) {
    public WebSettings {
        listenAddresses = List.copyOf(listenAddresses);
        flagValues = Collections.unmodifiableMap(new LinkedHashMap<>(flagValues)); // in the order of --help
    }

    /** As the flags ask, before MQTT's settings are resolved: see {@link #runningWith}. */
    public WebSettings(List<String> listenAddresses, String webConfigFile, String routePrefix, String externalUrl,
            String telemetryPath, boolean enableLifecycle, boolean enableAdminApi, long maxBodySize,
            boolean checkConsistency, Map<String, String> flagValues) {
        this(listenAddresses, webConfigFile, routePrefix, externalUrl, telemetryPath, enableLifecycle, enableAdminApi,
                maxBodySize, checkConsistency, flagValues, false);
    }

    /**
     * These settings as Tidegate runs them with {@code mqtt} (null when MQTT is off): the flags that
     * default to a value worked out at startup show that value ({@code --mqtt.client-id} is
     * {@code tidegate-<hostname>}, {@code --mqtt.status-topic} is {@code <prefix>/tidegate/status}), not blank.
     */
    public WebSettings runningWith(MqttSettings mqtt) {
        Map<String, String> running = new LinkedHashMap<>(flagValues);
        if (mqtt != null) {
            running.replace("mqtt.client-id", mqtt.clientId());
            running.replace("mqtt.status-topic", mqtt.statusTopic());
        }
        return new WebSettings(listenAddresses, webConfigFile, routePrefix, externalUrl, telemetryPath, enableLifecycle,
                enableAdminApi, maxBodySize, checkConsistency, running, mqtt != null);
    }
}
