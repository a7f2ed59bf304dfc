package io.tidegate.telemetry;

import picocli.CommandLine.IVersionProvider;

/** The version written into the jar's manifest at build time. */
public final class Version implements IVersionProvider {
    public static String current() {
        String version = Version.class.getPackage().getImplementationVersion();
        return version != null ? version : "development";
    }

    /**
     * What {@code /api/v1/status} reports, under upstream's keys where they apply; upstream's
     * {@code goVersion} becomes {@code javaVersion}.
     */
    public static java.util.Map<String, String> buildInformation() {
        java.util.Map<String, String> info = new java.util.TreeMap<>();
        info.put("version", current());
        info.put("revision", "");
        info.put("branch", "");
        info.put("buildUser", "");
        info.put("buildDate", manifestValue("Build-Date"));
        info.put("javaVersion", System.getProperty("java.version"));
        return info;
    }

    private static String manifestValue(String name) {
        try (var in = Version.class.getResourceAsStream("/META-INF/MANIFEST.MF")) {
            if (in == null) {
                return "";
            }
            String value = new java.util.jar.Manifest(in).getMainAttributes().getValue(name);
            return value == null ? "" : value;
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {"tidegate, version " + current() + " (java " + System.getProperty("java.version") + ")"};
    }
}
