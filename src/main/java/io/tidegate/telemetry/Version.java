package io.tidegate.telemetry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import picocli.CommandLine.IVersionProvider;

/**
 * The version written into the jar's manifest at build time, and what git said about the build
 * ({@value #GIT_PROPERTIES}, written by git-commit-id-maven-plugin; absent when built outside git).
 */
public final class Version implements IVersionProvider {
    static final String GIT_PROPERTIES = "git.properties";
    /** What a build fact reads when the build did not record it (built outside git, or not from the jar). */
    public static final String UNKNOWN = "unknown";

    public static String current() {
        String version = Version.class.getPackage().getImplementationVersion();
        return version != null ? version : "development";
    }

    /**
     * What {@code /api/v1/status} reports, under upstream's keys where they apply; upstream's
     * {@code goVersion} becomes {@code javaVersion}.
     */
    public static Map<String, String> buildInformation() {
        return buildInformation(gitProperties());
    }

    /** From the git facts recorded at build time ({@code git.*}, empty for none). */
    static Map<String, String> buildInformation(Properties git) {
        Map<String, String> info = new TreeMap<>();
        info.put("version", current());
        String revision = git.getProperty("git.commit.id.full", "");
        info.put("revision", revision.isEmpty() ? UNKNOWN
                : revision + ("true".equals(git.getProperty("git.dirty")) ? " (with uncommitted changes)" : ""));
        info.put("branch", orUnknown(git.getProperty("git.branch")));
        String user = git.getProperty("git.build.user.name", "");
        if (user.isEmpty()) {
            user = git.getProperty("git.build.user.email", "");
        }
        String host = git.getProperty("git.build.host", "");
        info.put("buildUser", user.isEmpty() ? UNKNOWN : host.isEmpty() ? user : user + "@" + host);
        String buildDate = git.getProperty("git.build.time", "");
        info.put("buildDate", orUnknown(buildDate.isEmpty() ? manifestValue("Build-Date") : buildDate));
        info.put("javaVersion", System.getProperty("java.version"));
        return info;
    }

    private static String orUnknown(String value) {
        return value == null || value.isEmpty() ? UNKNOWN : value;
    }

    private static Properties gitProperties() {
        Properties git = new Properties();
        try (InputStream in = Version.class.getResourceAsStream(GIT_PROPERTIES)) {
            if (in != null) {
                git.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the build's " + GIT_PROPERTIES, e);
        }
        return git;
    }

    private static String manifestValue(String name) {
        try (InputStream in = Version.class.getResourceAsStream("/META-INF/MANIFEST.MF")) {
            if (in == null) {
                return "";
            }
            String value = new java.util.jar.Manifest(in).getMainAttributes().getValue(name);
            return value == null ? "" : value;
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {"tidegate, version " + current() + " (java " + System.getProperty("java.version") + ")"};
    }
}
