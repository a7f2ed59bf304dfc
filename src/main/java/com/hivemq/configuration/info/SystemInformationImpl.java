package com.hivemq.configuration.info;

import com.hivemq.HiveMQServer;
import com.hivemq.configuration.EnvironmentVariables;
import com.hivemq.configuration.SystemProperties;
import com.hivemq.util.ManifestUtils;
import io.tidegate.mqtt.BrokerConfiguration;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stands in for HiveMQ's class of this name, which counted the machine's physical processor cores with OSHI as it was
 * made, for {@link #getProcessorCount()}, which nothing in HiveMQ Community Edition calls. OSHI loaded about 150
 * classes of its own and of JNA, with JNA's native library, on the embedded broker's start thread, at every start.
 * This one counts the processors the JVM may use, the figure HiveMQ's fell back to and capped its count at.
 *
 * <p>The rest is HiveMQ's behaviour: the folders it was given, else those of the {@code hivemq.*.folder} properties or
 * {@code HIVEMQ_*_FOLDER} variables, else {@code conf}, {@code log}, {@code data} and {@code extensions} in the home
 * folder ({@code hivemq.home} or {@code HIVEMQ_HOME}, else the folder of the running jar or, for a broker not told to
 * use it, a temporary one); the log folder is created by a broker that is not embedded, the data folder always, the
 * extensions folder by a broker that is not embedded; {@code hivemq.log.folder} is set to the log folder.
 */
public class SystemInformationImpl implements SystemInformation {
    private static final Logger log = LoggerFactory.getLogger(SystemInformationImpl.class);
    public static final String DEVELOPMENT_VERSION = "Development Snapshot";

    private final boolean usePathOfRunningJar;
    private final boolean embedded;
    private long runningSince;
    private final int processorCount = Runtime.getRuntime().availableProcessors();
    private File homeFolder;
    private File configFolder;
    private File logFolder;
    private File dataFolder;
    private File extensionsFolder;
    private String hivemqVersion;

    public SystemInformationImpl() {
        this(false);
    }

    public SystemInformationImpl(boolean usePathOfRunningJar) {
        this(usePathOfRunningJar, false, null, null, null);
    }

    /** Folders given as null are found at {@link #init()}. */
    public SystemInformationImpl(boolean usePathOfRunningJar, boolean embedded, File configFolder, File dataFolder,
            File extensionsFolder) {
        this.usePathOfRunningJar = usePathOfRunningJar;
        this.embedded = embedded;
        this.configFolder = configFolder;
        this.dataFolder = dataFolder;
        this.extensionsFolder = extensionsFolder;
    }

    @Override
    public void init() {
        String version = ManifestUtils.getValueFromManifest(HiveMQServer.class, "HiveMQ-Version");
        hivemqVersion = version == null || version.isEmpty() ? DEVELOPMENT_VERSION : version;
        log.info("HiveMQ version: {}", hivemqVersion);

        runningSince = startedAt();
        homeFolder = findHomeFolder();
        if (configFolder == null) {
            configFolder = folder(SystemProperties.CONFIG_FOLDER, EnvironmentVariables.CONFIG_FOLDER, "conf", false);
        }
        logFolder = folder(SystemProperties.LOG_FOLDER, EnvironmentVariables.LOG_FOLDER, "log", !embedded);
        System.setProperty(SystemProperties.LOG_FOLDER, logFolder.getAbsolutePath());
        if (dataFolder == null) {
            dataFolder = folder(SystemProperties.DATA_FOLDER, EnvironmentVariables.DATA_FOLDER, "data", true);
        }
        if (extensionsFolder == null) {
            extensionsFolder = folder(SystemProperties.EXTENSIONS_FOLDER, EnvironmentVariables.EXTENSION_FOLDER,
                    "extensions", !embedded);
        }
    }

    public void setHivemqVersion(String hivemqVersion) {
        this.hivemqVersion = hivemqVersion;
    }

    @Override
    public String getHiveMQVersion() {
        return hivemqVersion;
    }

    @Override
    public File getHiveMQHomeFolder() {
        return homeFolder;
    }

    @Override
    public File getConfigFolder() {
        return configFolder;
    }

    @Override
    public File getLogFolder() {
        return logFolder;
    }

    @Override
    public File getDataFolder() {
        return dataFolder;
    }

    @Override
    public File getExtensionsFolder() {
        return extensionsFolder;
    }

    @Override
    public long getRunningSince() {
        return runningSince;
    }

    /** The processors the JVM may use. */
    @Override
    public int getProcessorCount() {
        return processorCount;
    }

    @Override
    public boolean isEmbedded() {
        return embedded;
    }

    /**
     * Now, by the clock Tidegate offered this broker with its configuration; for a broker it offered none, the JVM's
     * start. (Only HiveMQ's usage statistics, which Tidegate turns off, read it.)
     */
    private long startedAt() {
        return Optional.ofNullable(configFolder).flatMap(folder -> BrokerConfiguration.clockFor(folder.toPath()))
                .map(Clock::millis).orElseGet(() -> ManagementFactory.getRuntimeMXBean().getStartTime());
    }

    private File findHomeFolder() {
        String home = propertyOrVariable(SystemProperties.HIVEMQ_HOME, EnvironmentVariables.HIVEMQ_HOME);
        if (home != null) {
            File folder = inHome(null, home);
            log.info("HiveMQ home directory: {}", folder.getAbsolutePath());
            System.setProperty(SystemProperties.HIVEMQ_HOME, folder.getAbsolutePath()); // for the SPI's PathUtils
            return folder;
        }
        if (usePathOfRunningJar) {
            String jar = URLDecoder.decode(
                    HiveMQServer.class.getProtectionDomain().getCodeSource().getLocation().getPath(), StandardCharsets.UTF_8);
            File folder = new File(jar.substring(0, jar.lastIndexOf('/') + 1));
            if (!embedded) {
                log.warn("No {} property or {} environment variable was set. Using {}", SystemProperties.HIVEMQ_HOME,
                        EnvironmentVariables.HIVEMQ_HOME, folder.getAbsolutePath());
            }
            return folder;
        }
        try {
            File folder = Files.createTempDirectory("hivemq-home").toFile();
            folder.deleteOnExit();
            log.warn("No {} property or {} environment variable was set. Using a temporary directory ({}) HiveMQ will "
                    + "behave unexpectedly!", SystemProperties.HIVEMQ_HOME, EnvironmentVariables.HIVEMQ_HOME, folder);
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary home folder for HiveMQ", e);
        }
    }

    /** The folder the property or variable names, else {@code defaultName}, in the home folder unless absolute. */
    private File folder(String property, String variable, String defaultName, boolean create) {
        String name = propertyOrVariable(property, variable);
        File folder = inHome(homeFolder, name != null ? name : defaultName);
        if (create && !folder.exists() && !folder.mkdirs()) {
            log.warn("Not able to create folder {}, HiveMQ will behave unexpectedly!", folder);
        }
        return folder;
    }

    private static File inHome(File home, String path) {
        File file = new File(path);
        return file.isAbsolute() || home == null ? file : new File(home, path);
    }

    private static String propertyOrVariable(String property, String variable) {
        String value = System.getProperty(property);
        return value != null ? value : System.getenv(variable);
    }
}
