package io.tidegate.config;

import io.tidegate.format.NameValidation;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration in force, read from {@code --config.file} and re-read on SIGHUP or
 * {@code /-/reload}. Readers call {@link #current()} (one volatile read) on every use, so a reload
 * takes effect for the next push; a reload that fails changes nothing.
 */
public final class ReloadableConfig {
    private static final Logger log = LoggerFactory.getLogger(ReloadableConfig.class);

    private final Path path;
    private final NameValidation names;
    private final AtomicReference<ConfigFile> current;
    private final List<Consumer<ConfigFile>> listeners = new CopyOnWriteArrayList<>();

    private ReloadableConfig(Path path, ConfigFile first, NameValidation names) {
        this.path = path;
        this.names = names;
        this.current = new AtomicReference<>(first);
    }

    /**
     * Loads the file for the first time. Tidegate refuses to start when this fails.
     *
     * @throws ConfigException with the message to show the operator
     */
    public static ReloadableConfig load(Path path) throws ConfigException {
        return load(path, NameValidation.LEGACY);
    }

    /** {@link #load(Path)}, the names of mapping rules checked by {@code names} ({@code --push.enable-utf8-names}), now and at every reload. */
    public static ReloadableConfig load(Path path, NameValidation names) throws ConfigException {
        ConfigFile first = ConfigFile.load(Objects.requireNonNull(path, "path"), names);
        log.atInfo().addKeyValue("file", path).addKeyValue("ttl_rules", first.ttlRules().size())
                .addKeyValue("mqtt_mappings", first.mqttMappings().size()).log("configuration loaded");
        logRules(first);
        return new ReloadableConfig(path, first, names);
    }

    /** Without {@code --config.file}: the empty configuration, and reloading has nothing to do. */
    public static ReloadableConfig none() {
        return new ReloadableConfig(null, ConfigFile.empty(), NameValidation.LEGACY);
    }

    public ConfigFile current() {
        return current.get();
    }

    /**
     * Re-reads the file. On success the new configuration replaces the old one at once; on failure
     * the old one stays and one warning says why. Concurrent reloads (a signal and an HTTP request)
     * run one after the other.
     */
    public synchronized ReloadOutcome reload() {
        if (path == null) {
            return ReloadOutcome.reloaded();
        }
        ConfigFile next;
        try {
            next = ConfigFile.load(path, names);
        } catch (ConfigException e) {
            log.atWarn().addKeyValue("file", path).addKeyValue("err", e.getMessage())
                    .log("configuration reload failed, keeping the previous one");
            return ReloadOutcome.failed(e.getMessage());
        }
        current.set(next);
        log.atInfo().addKeyValue("file", path).addKeyValue("ttl_rules", next.ttlRules().size())
                .addKeyValue("mqtt_mappings", next.mqttMappings().size()).log("configuration reloaded");
        logRules(next);
        for (Consumer<ConfigFile> listener : listeners) {
            listener.accept(next);
        }
        return ReloadOutcome.reloaded();
    }

    /**
     * Calls {@code listener} with the new configuration after each successful reload, once it is in
     * force: for what a reload must change besides the rules read on each use (MQTT subscriptions).
     */
    public void onReload(Consumer<ConfigFile> listener) {
        listeners.add(listener);
    }

    private static void logRules(ConfigFile config) {
        if (log.isDebugEnabled()) {
            for (int i = 0; i < config.ttlRules().size(); i++) {
                log.atDebug().addKeyValue("index", i + 1).addKeyValue("rule", config.ttlRules().rules().get(i))
                        .log("ttl rule");
            }
            for (int i = 0; i < config.mqttMappings().size(); i++) {
                log.atDebug().addKeyValue("index", i + 1).addKeyValue("rule", config.mqttMappings().rules().get(i))
                        .log("mqtt mapping");
            }
        }
    }
}
