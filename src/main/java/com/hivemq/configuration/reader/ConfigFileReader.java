package com.hivemq.configuration.reader;

import com.hivemq.configuration.entity.HiveMQConfigEntity;
import com.hivemq.util.EnvVarUtil;
import io.tidegate.mqtt.BrokerConfiguration;
import java.io.File;
import java.nio.file.Path;

/**
 * Stands in for HiveMQ's class of this name, which reads {@code config.xml} with JAXB: the embedded broker's
 * configuration is the one Tidegate offered for HiveMQ's configuration folder ({@link BrokerConfiguration}), given to
 * HiveMQ's own configurators as the file's would be. {@code ConfigurationBootstrap}, the class's one user in HiveMQ,
 * calls the constructor and {@link #applyConfig()}.
 *
 * <p>Where HiveMQ's class falls back to its defaults (no file, or one it cannot read), this one fails the start: a
 * broker on HiveMQ's default listener (every address, port 1883) and with its files on disk is not one Tidegate means
 * to run.
 */
public class ConfigFileReader {
    private final ConfigurationFile configurationFile;
    private final ListenerConfigurator listenerConfigurator;
    private final MqttConfigurator mqttConfigurator;
    private final RestrictionConfigurator restrictionConfigurator;
    private final SecurityConfigurator securityConfigurator;
    private final UsageStatisticsConfigurator usageStatisticsConfigurator;
    private final PersistenceConfigurator persistenceConfigurator;

    /** HiveMQ's constructor; {@code envVarUtil} replaced placeholders in the file's text, which there is none of. */
    public ConfigFileReader(ConfigurationFile configurationFile, RestrictionConfigurator restrictionConfigurator,
            SecurityConfigurator securityConfigurator, EnvVarUtil envVarUtil,
            UsageStatisticsConfigurator usageStatisticsConfigurator, MqttConfigurator mqttConfigurator,
            ListenerConfigurator listenerConfigurator, PersistenceConfigurator persistenceConfigurator) {
        this.configurationFile = configurationFile;
        this.restrictionConfigurator = restrictionConfigurator;
        this.securityConfigurator = securityConfigurator;
        this.usageStatisticsConfigurator = usageStatisticsConfigurator;
        this.mqttConfigurator = mqttConfigurator;
        this.listenerConfigurator = listenerConfigurator;
        this.persistenceConfigurator = persistenceConfigurator;
    }

    /**
     * Applies the configuration Tidegate offered for the folder of HiveMQ's {@code config.xml}.
     *
     * @throws IllegalStateException when Tidegate offered none for it
     */
    public void applyConfig() {
        Path folder = configurationFile.file().map(File::getAbsoluteFile).map(File::getParentFile).map(File::toPath)
                .orElseThrow(() -> new IllegalStateException("the embedded broker has no configuration folder"));
        setConfiguration(BrokerConfiguration.offeredFor(folder).orElseThrow(() -> new IllegalStateException(
                "Tidegate offered no configuration for the embedded broker of " + folder)));
    }

    void setConfiguration(HiveMQConfigEntity config) {
        listenerConfigurator.setListenerConfig(config.getListenerConfig());
        mqttConfigurator.setMqttConfig(config.getMqttConfig());
        restrictionConfigurator.setRestrictionsConfig(config.getRestrictionsConfig());
        securityConfigurator.setSecurityConfig(config.getSecurityConfig());
        usageStatisticsConfigurator.setUsageStatisticsConfig(config.getUsageStatisticsConfig());
        persistenceConfigurator.setPersistenceConfig(config.getPersistenceConfig());
    }
}
