package io.tidegate.config;

import io.tidegate.format.OneLine;

/**
 * A problem in Tidegate's configuration file, with a message fit to show the operator as it is: it
 * names the file, where in it the problem is (section, rule, line) and what is wrong. It carries no
 * cause and is never logged with a stack trace. The message is always one line: control characters
 * in it (a value quoted from the file, say) are escaped.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(OneLine.of(message), null, false, false);
    }
}
