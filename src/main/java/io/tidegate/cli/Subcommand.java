package io.tidegate.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * A tool run as {@code tidegate <name> ...} instead of the server, e.g. a health check for a
 * container or a dry run of the configuration. The server's own command line stays exactly
 * upstream's, since no upstream flag is a bare word.
 */
public interface Subcommand {
    /** The first argument that selects this tool. */
    String name();

    /**
     * Runs the tool with the arguments after its name.
     *
     * @return the process exit status: 0 for success, 1 for a failed check, 2 for bad usage
     */
    int run(List<String> arguments, PrintStream out, PrintStream err);
}
