package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import org.eclipse.paho.mqttv5.client.logging.LoggerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Paho's log lines through Tidegate's log: one line each, the catalogue's text filled in, no stack trace. */
class PahoLogTest {
    private static final String SPEAKER = "org.eclipse.paho.mqttv5.client.internal.ClientComms";
    private final Logger logger = (Logger) org.slf4j.LoggerFactory.getLogger(SPEAKER);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private Level before;

    @BeforeEach
    void listen() {
        before = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void stopListening() {
        logger.detachAppender(lines);
        logger.setLevel(before);
    }

    @Test
    void pahoGetsTidegatesLoggerForBothClientGenerationsOnePerSpeaker() {
        var v5 = LoggerFactory.getLogger(LoggerFactory.MQTT_CLIENT_MSG_CAT, SPEAKER);
        assertThat(v5).isInstanceOf(PahoLog.class);
        // every token asks again: the same logger, not a new one
        assertThat(LoggerFactory.getLogger(LoggerFactory.MQTT_CLIENT_MSG_CAT, SPEAKER)).isSameAs(v5);
        assertThat(LoggerFactory.getLogger(LoggerFactory.MQTT_CLIENT_MSG_CAT, "org.eclipse.paho.mqttv5.client.internal.Token"))
                .isNotSameAs(v5);
        var v3 = org.eclipse.paho.client.mqttv3.logging.LoggerFactory.getLogger(
                org.eclipse.paho.client.mqttv3.logging.LoggerFactory.MQTT_CLIENT_MSG_CAT, SPEAKER);
        assertThat(v3).isInstanceOf(PahoLog.class).isNotSameAs(v5);
        // the message catalogue of each generation is Paho's own
        assertThat(v5.formatMessage("101", new Object[] {"a", "b", "c"})).isEqualTo("<init> ClientID=a ServerURI=b PersistenceType=c");
        assertThat(((PahoLog) v3).formatMessage("101", new Object[] {"a", "b", "c"})).isEqualTo("<init> ClientID=a ServerURI=b PersistenceType=c");
        // one class serves both generations because their levels are the same numbers
        assertThat(new int[] {org.eclipse.paho.client.mqttv3.logging.Logger.SEVERE,
                org.eclipse.paho.client.mqttv3.logging.Logger.WARNING, org.eclipse.paho.client.mqttv3.logging.Logger.INFO,
                org.eclipse.paho.client.mqttv3.logging.Logger.CONFIG, org.eclipse.paho.client.mqttv3.logging.Logger.FINE,
                org.eclipse.paho.client.mqttv3.logging.Logger.FINER, org.eclipse.paho.client.mqttv3.logging.Logger.FINEST})
                .containsExactly(PahoLog.SEVERE_LEVEL, PahoLog.WARNING_LEVEL, PahoLog.INFO_LEVEL, PahoLog.CONFIG_LEVEL,
                        PahoLog.FINE_LEVEL, PahoLog.FINER_LEVEL, PahoLog.FINEST_LEVEL);
    }

    @Test
    void aCatalogueMessageIsOneLineFilledInAtItsLevelWithTheErrorAsText() {
        PahoLog log = PahoLog.of(LoggerFactory.MQTT_CLIENT_MSG_CAT, SPEAKER);

        log.warning("ClientComms", "connect", "101", new Object[] {"sensor-7", "tcp://broker:1883", "memory"},
                new IOException("Connection refused"));
        log.fine("ClientComms", "send", "plain text, not a key");
        log.finest("ClientComms", "send", "101", new Object[] {"x", "y", "z"});

        assertThat(lines.list).hasSize(2);
        ILoggingEvent warning = lines.list.get(0);
        assertThat(warning.getLevel()).isEqualTo(Level.WARN);
        assertThat(warning.getFormattedMessage()).isEqualTo("<init> ClientID=sensor-7 ServerURI=tcp://broker:1883 "
                + "PersistenceType=memory");
        assertThat(warning.getKeyValuePairs()).anySatisfy(pair -> {
            assertThat(pair.key).isEqualTo("err");
            assertThat(pair.value).isEqualTo("Connection refused");
        });
        assertThat(warning.getThrowableProxy()).isNull();
        assertThat(lines.list.get(1).getLevel()).isEqualTo(Level.DEBUG);
        assertThat(lines.list.get(1).getFormattedMessage()).isEqualTo("plain text, not a key");
        assertThat(log.isLoggable(PahoLog.FINEST_LEVEL)).isFalse();
        assertThat(log.isLoggable(PahoLog.FINE_LEVEL)).isTrue();
    }
}
