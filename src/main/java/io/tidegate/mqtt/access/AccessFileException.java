package io.tidegate.mqtt.access;

import io.tidegate.format.OneLine;
import java.nio.file.Path;

/**
 * A password file or ACL file of the embedded broker that cannot be used: it cannot be read, or a
 * line of it is wrong. The message names the file and, for a wrong line, its number, and is one
 * line fit to show the operator as it is; it carries no cause and is never logged with a stack trace.
 */
public final class AccessFileException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    private AccessFileException(Path file, String message) {
        super(OneLine.of(message), null, false, false);
        this.file = file;
    }

    /** The file that cannot be used. */
    public Path file() {
        return file;
    }

    /** Line {@code line} (from 1) of {@code file} is wrong: {@code problem} says how. */
    static AccessFileException atLine(Path file, int line, String problem) {
        return new AccessFileException(file, file + " line " + line + ": " + problem);
    }

    /** {@code file} as a whole cannot be used: unreadable, say. */
    static AccessFileException ofFile(Path file, String problem) {
        return new AccessFileException(file, file + ": " + problem);
    }
}
