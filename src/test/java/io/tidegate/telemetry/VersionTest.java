package io.tidegate.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The build information {@code /api/v1/status} and the web page show, as the build recorded it. */
class VersionTest {
    @Test
    void showsWhatGitRecordedAtBuildTime() {
        Properties git = new Properties();
        git.setProperty("git.branch", "main");
        git.setProperty("git.commit.id.full", "a4292f9741c4431ebf3328d7861dddbe7fcc2756");
        git.setProperty("git.dirty", "false");
        git.setProperty("git.build.user.name", "builder");
        git.setProperty("git.build.host", "ci-7");
        git.setProperty("git.build.time", "2026-12-06T18:54:00Z");

        assertThat(Version.buildInformation(git))
                .containsEntry("branch", "main")
                .containsEntry("revision", "a4292f9741c4431ebf3328d7861dddbe7fcc2756")
                .containsEntry("buildUser", "builder@ci-7")
                .containsEntry("buildDate", "2026-12-06T18:54:00Z")
                .containsKeys("version", "javaVersion");
    }

    @Test
    void aBuildWithUncommittedChangesSaysSo() {
        Properties git = new Properties();
        git.setProperty("git.commit.id.full", "a4292f9741c4431ebf3328d7861dddbe7fcc2756");
        git.setProperty("git.dirty", "true");

        assertThat(Version.buildInformation(git).get("revision"))
                .isEqualTo("a4292f9741c4431ebf3328d7861dddbe7fcc2756 (with uncommitted changes)");
    }

    @Test
    void builtOutsideGitEveryGitFactIsUnknownNotBlank() {
        assertThat(Version.buildInformation(new Properties()))
                .containsEntry("branch", "unknown")
                .containsEntry("revision", "unknown")
                .containsEntry("buildUser", "unknown");
    }
}
