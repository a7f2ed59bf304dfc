package io.tidegate.config;

import picocli.CommandLine.IVersionProvider;

/** The version written into the jar's manifest at build time. */
public final class Version implements IVersionProvider {
    public static String current() {
        String version = Version.class.getPackage().getImplementationVersion();
        return version != null ? version : "development";
    }

    @Override
    public String[] getVersion() {
        return new String[] {"tidegate, version " + current() + " (java " + System.getProperty("java.version") + ")"};
    }
}
