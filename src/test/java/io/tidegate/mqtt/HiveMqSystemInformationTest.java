package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.HiveMQServer;
import com.hivemq.configuration.info.SystemInformationImpl;
import io.tidegate.format.HostPort;
import io.tidegate.mqtt.access.BrokerAccess;
import java.io.File;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the embedded broker's HiveMQ knows of its system, through Tidegate's stand-in for its
 * {@code SystemInformationImpl}, made as HiveMQ's embedded start makes it: the folders Tidegate gave, the home folder
 * of the jar HiveMQ runs from, a log folder it does not create, and the processors the JVM may use (HiveMQ's counted
 * physical cores with OSHI, a figure nothing in HiveMQ reads).
 */
class HiveMqSystemInformationTest {
    @TempDir
    Path home;

    @Test
    void anEmbeddedBrokerKeepsTheFoldersItWasGivenAndCreatesNoLogFolder() {
        File conf = home.toFile();
        File data = home.resolve("data").toFile();
        File extensions = home.resolve("extensions").toFile();
        SystemInformationImpl system = new SystemInformationImpl(true, true, conf, data, extensions);
        system.init();

        assertThat(system.getConfigFolder()).isEqualTo(conf);
        assertThat(system.getDataFolder()).isEqualTo(data);
        assertThat(system.getExtensionsFolder()).isEqualTo(extensions);
        String jar = URLDecoder.decode(HiveMQServer.class.getProtectionDomain().getCodeSource().getLocation().getPath(),
                StandardCharsets.UTF_8);
        assertThat(system.getHiveMQHomeFolder()).isEqualTo(new File(jar.substring(0, jar.lastIndexOf('/') + 1)));
        assertThat(system.getLogFolder()).isEqualTo(new File(system.getHiveMQHomeFolder(), "log"));
        assertThat(System.getProperty("hivemq.log.folder")).isEqualTo(system.getLogFolder().getAbsolutePath());
        assertThat(system.isEmbedded()).isTrue();
        assertThat(system.getHiveMQVersion()).isNotEmpty();
        assertThat(system.getProcessorCount()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(system.getRunningSince()).isPositive().isLessThanOrEqualTo(System.currentTimeMillis());
    }

    @Test
    void itStartsAtTheTimeOfTheClockTidegateOfferedWithItsConfiguration() {
        Clock clock = Clock.fixed(Instant.parse("2026-12-07T05:00:00Z"), ZoneOffset.UTC);
        BrokerConfiguration.offer(home, BrokerConfiguration.of(new HostPort("127.0.0.1", 18831),
                BrokerSettings.of(BrokerAccess.loopbackAnonymous(), 64 * 1024, 50)), clock);
        try {
            SystemInformationImpl system = new SystemInformationImpl(true, true, home.toFile(),
                    home.resolve("data").toFile(), home.resolve("extensions").toFile());
            system.init();

            assertThat(system.getRunningSince()).isEqualTo(clock.millis());
        } finally {
            BrokerConfiguration.withdraw(home);
        }
    }

    @Test
    void withoutFoldersItFindsThemInTheHomeFolderAndCreatesTheDataFolder() {
        System.setProperty("hivemq.home", home.toString());
        System.clearProperty("hivemq.log.folder"); // set by every HiveMQ of this JVM before, as HiveMQ's own does
        try {
            SystemInformationImpl system = new SystemInformationImpl(true, true, null, null, null);
            system.init();

            assertThat(system.getHiveMQHomeFolder()).isEqualTo(home.toFile());
            assertThat(system.getConfigFolder()).isEqualTo(home.resolve("conf").toFile());
            assertThat(system.getDataFolder()).isEqualTo(home.resolve("data").toFile()).isDirectory();
            assertThat(system.getExtensionsFolder()).isEqualTo(home.resolve("extensions").toFile()).doesNotExist();
            assertThat(system.getLogFolder()).isEqualTo(home.resolve("log").toFile()).doesNotExist();
        } finally {
            System.clearProperty("hivemq.home");
        }
    }
}
