package io.tidegate.mqtt;

import java.text.MessageFormat;
import java.util.MissingResourceException;
import java.util.ResourceBundle;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Paho's log (both client generations) through Tidegate's own: one line per event in Tidegate's format, under the
 * logger of the Paho class that speaks, its catalogue message filled in, an exception as its message and never a
 * stack trace. Paho asks its {@code LoggerFactory} for a logger for every token it creates (every acknowledgement of
 * a QoS 1 message), and Paho's factory found the message catalogue ({@code ResourceBundle.getBundle}) and made a
 * logger by reflection each time: a tenth of the thread that applies MQTT messages. Tidegate's stand-ins for both
 * generations' {@code LoggerFactory} ({@code src/main/java/org/eclipse/paho/...}) answer with {@link #of}: one
 * logger per speaking class, made once. Paho's {@code setResourceName} (its client id, per token) is not kept, so a
 * shared logger never changes.
 */
public final class PahoLog implements org.eclipse.paho.mqttv5.client.logging.Logger,
        org.eclipse.paho.client.mqttv3.logging.Logger {
    private static final Logger UNNAMED = LoggerFactory.getLogger("org.eclipse.paho");
    // Paho's levels, the same numbers in both generations (PahoLogTest checks)
    static final int SEVERE_LEVEL = org.eclipse.paho.mqttv5.client.logging.Logger.SEVERE;
    static final int WARNING_LEVEL = org.eclipse.paho.mqttv5.client.logging.Logger.WARNING;
    static final int INFO_LEVEL = org.eclipse.paho.mqttv5.client.logging.Logger.INFO;
    static final int CONFIG_LEVEL = org.eclipse.paho.mqttv5.client.logging.Logger.CONFIG;
    static final int FINE_LEVEL = org.eclipse.paho.mqttv5.client.logging.Logger.FINE;
    static final int FINER_LEVEL = org.eclipse.paho.mqttv5.client.logging.Logger.FINER;
    static final int FINEST_LEVEL = org.eclipse.paho.mqttv5.client.logging.Logger.FINEST;

    /** Paho's loggers by catalogue (one per client generation), then by speaking class: a few dozen, made once each. */
    private static final ConcurrentHashMap<String, ConcurrentHashMap<String, PahoLog>> MADE = new ConcurrentHashMap<>();

    private Logger log = UNNAMED;
    private ResourceBundle catalogue;

    PahoLog() {}

    /**
     * The logger for Paho's class {@code loggerID} with the message catalogue {@code catalogueName}; what Paho's
     * {@code LoggerFactory.getLogger} answers. Throws MissingResourceException for an unknown catalogue, as Paho's
     * factory does.
     */
    public static PahoLog of(String catalogueName, String loggerID) {
        // two lookups, nothing made: Paho asks on every acknowledgement
        return MADE.computeIfAbsent(catalogueName, name -> new ConcurrentHashMap<>()).computeIfAbsent(loggerID, id -> {
            PahoLog made = new PahoLog();
            made.initialise(ResourceBundle.getBundle(catalogueName), id, null);
            return made;
        });
    }

    @Override
    public void initialise(ResourceBundle messageCatalog, String loggerID, String resourceName) {
        catalogue = messageCatalog;
        log = LoggerFactory.getLogger(loggerID);
    }

    @Override
    public void setResourceName(String logContext) {}

    @Override
    public boolean isLoggable(int level) {
        return log.isEnabledForLevel(level(level));
    }

    @Override
    public void severe(String sourceClass, String sourceMethod, String msg) {
        log(SEVERE_LEVEL, sourceClass, sourceMethod, msg, null, null);
    }

    @Override
    public void severe(String sourceClass, String sourceMethod, String msg, Object[] inserts) {
        log(SEVERE_LEVEL, sourceClass, sourceMethod, msg, inserts, null);
    }

    @Override
    public void severe(String sourceClass, String sourceMethod, String msg, Object[] inserts, Throwable thrown) {
        log(SEVERE_LEVEL, sourceClass, sourceMethod, msg, inserts, thrown);
    }

    @Override
    public void warning(String sourceClass, String sourceMethod, String msg) {
        log(WARNING_LEVEL, sourceClass, sourceMethod, msg, null, null);
    }

    @Override
    public void warning(String sourceClass, String sourceMethod, String msg, Object[] inserts) {
        log(WARNING_LEVEL, sourceClass, sourceMethod, msg, inserts, null);
    }

    @Override
    public void warning(String sourceClass, String sourceMethod, String msg, Object[] inserts, Throwable thrown) {
        log(WARNING_LEVEL, sourceClass, sourceMethod, msg, inserts, thrown);
    }

    @Override
    public void info(String sourceClass, String sourceMethod, String msg) {
        log(INFO_LEVEL, sourceClass, sourceMethod, msg, null, null);
    }

    @Override
    public void info(String sourceClass, String sourceMethod, String msg, Object[] inserts) {
        log(INFO_LEVEL, sourceClass, sourceMethod, msg, inserts, null);
    }

    @Override
    public void info(String sourceClass, String sourceMethod, String msg, Object[] inserts, Throwable thrown) {
        log(INFO_LEVEL, sourceClass, sourceMethod, msg, inserts, thrown);
    }

    @Override
    public void config(String sourceClass, String sourceMethod, String msg) {
        log(CONFIG_LEVEL, sourceClass, sourceMethod, msg, null, null);
    }

    @Override
    public void config(String sourceClass, String sourceMethod, String msg, Object[] inserts) {
        log(CONFIG_LEVEL, sourceClass, sourceMethod, msg, inserts, null);
    }

    @Override
    public void config(String sourceClass, String sourceMethod, String msg, Object[] inserts, Throwable thrown) {
        log(CONFIG_LEVEL, sourceClass, sourceMethod, msg, inserts, thrown);
    }

    @Override
    public void fine(String sourceClass, String sourceMethod, String msg) {
        log(FINE_LEVEL, sourceClass, sourceMethod, msg, null, null);
    }

    @Override
    public void fine(String sourceClass, String sourceMethod, String msg, Object[] inserts) {
        log(FINE_LEVEL, sourceClass, sourceMethod, msg, inserts, null);
    }

    @Override
    public void fine(String sourceClass, String sourceMethod, String msg, Object[] inserts, Throwable thrown) {
        log(FINE_LEVEL, sourceClass, sourceMethod, msg, inserts, thrown);
    }

    @Override
    public void finer(String sourceClass, String sourceMethod, String msg) {
        log(FINER_LEVEL, sourceClass, sourceMethod, msg, null, null);
    }

    @Override
    public void finer(String sourceClass, String sourceMethod, String msg, Object[] inserts) {
        log(FINER_LEVEL, sourceClass, sourceMethod, msg, inserts, null);
    }

    @Override
    public void finer(String sourceClass, String sourceMethod, String msg, Object[] inserts, Throwable thrown) {
        log(FINER_LEVEL, sourceClass, sourceMethod, msg, inserts, thrown);
    }

    @Override
    public void finest(String sourceClass, String sourceMethod, String msg) {
        log(FINEST_LEVEL, sourceClass, sourceMethod, msg, null, null);
    }

    @Override
    public void finest(String sourceClass, String sourceMethod, String msg, Object[] inserts) {
        log(FINEST_LEVEL, sourceClass, sourceMethod, msg, inserts, null);
    }

    @Override
    public void finest(String sourceClass, String sourceMethod, String msg, Object[] inserts, Throwable thrown) {
        log(FINEST_LEVEL, sourceClass, sourceMethod, msg, inserts, thrown);
    }

    @Override
    public void log(int level, String sourceClass, String sourceMethod, String msg, Object[] inserts, Throwable thrown) {
        Level mapped = level(level);
        if (!log.isEnabledForLevel(mapped)) {
            return;
        }
        var event = log.atLevel(mapped).addKeyValue("method", sourceMethod);
        if (thrown != null) {
            event = event.addKeyValue("err", String.valueOf(thrown.getMessage() != null ? thrown.getMessage() : thrown));
        }
        event.log(formatMessage(msg, inserts));
    }

    /** Paho's own trace (its flight recorder): not kept. */
    @Override
    public void trace(int level, String sourceClass, String sourceMethod, String msg, Object[] inserts, Throwable ex) {}

    /** The catalogue's message for the key {@code msg} (or {@code msg} itself), its {@code {0}}s filled in. */
    @Override
    public String formatMessage(String msg, Object[] inserts) {
        String pattern = msg;
        if (catalogue != null && msg != null) {
            try {
                pattern = catalogue.getString(msg);
            } catch (MissingResourceException e) {
                pattern = msg; // Paho passes some messages as text, not as a key
            }
        }
        if (inserts == null || inserts.length == 0 || pattern == null) {
            return String.valueOf(pattern);
        }
        try {
            return MessageFormat.format(pattern, inserts);
        } catch (IllegalArgumentException e) {
            return pattern;
        }
    }

    @Override
    public void dumpTrace() {}

    private static Level level(int pahoLevel) {
        return switch (pahoLevel) {
            case SEVERE_LEVEL -> Level.ERROR;
            case WARNING_LEVEL -> Level.WARN;
            case INFO_LEVEL -> Level.INFO;
            case CONFIG_LEVEL, FINE_LEVEL -> Level.DEBUG;
            default -> Level.TRACE;
        };
    }
}
