package io.tidegate.web;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the HTTP side is told at startup, read from the {@code --web.*} and {@code --push.*} flags by
 * the command line.
 *
 * @param listenAddress {@code --web.listen-address}, as given ({@code :9091})
 * @param webConfigFile {@code --web.config.file}: TLS and basic auth; empty for none
 * @param routePrefix {@code --web.route-prefix}, empty when not given
 * @param externalUrl {@code --web.external-url}, whose path is the prefix when no route prefix is given
 * @param telemetryPath {@code --web.telemetry-path}
 * @param enableLifecycle {@code --web.enable-lifecycle}: {@code /-/quit} and {@code /-/reload}
 * @param enableAdminApi {@code --web.enable-admin-api}: {@code /api/v1/admin/wipe}
 * @param maxBodySize {@code --push.max-body-size} in bytes
 * @param checkConsistency the opposite of {@code --push.disable-consistency-check}: a checked push is answered 200, an unchecked one 202
 * @param flagValues every flag with its value, as {@code /api/v1/status} and the page show them
 */
public record WebSettings(String listenAddress, String webConfigFile, String routePrefix, String externalUrl,
        String telemetryPath, boolean enableLifecycle, boolean enableAdminApi, long maxBodySize,
        boolean checkConsistency, Map<String, String> flagValues) {
    public WebSettings {
        flagValues = Collections.unmodifiableMap(new LinkedHashMap<>(flagValues)); // in the order of --help
    }
}
