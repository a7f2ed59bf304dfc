package org.eclipse.paho.mqttv5.client.logging;

import io.tidegate.mqtt.PahoLog;

/**
 * Stands in for Paho's class of this name: every logger Paho asks for is Tidegate's {@link PahoLog}, one per speaking
 * class, made once instead of once per token (see {@link PahoLog}).
 */
public final class LoggerFactory {
    /** Paho's message catalogue. */
    public static final String MQTT_CLIENT_MSG_CAT = "org.eclipse.paho.mqttv5.client.internal.nls.logcat";

    private LoggerFactory() {}

    public static Logger getLogger(String messageCatalogName, String loggerID) {
        return PahoLog.of(messageCatalogName, loggerID);
    }
}
