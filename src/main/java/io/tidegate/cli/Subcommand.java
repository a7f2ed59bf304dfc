package io.tidegate.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * A tool run as {@code tidegate <name> ...} instead of the server, e.g. a health check for a
 * container or a dry run of the configuration. The server's own command line stays exactly
 * upstream's, since no upstream flag is a bare word. Each answers {@code --help} (and {@code -h}) with its
 * own usage and status 0, so {@code tidegate help <name>} can show it.
 */
public interface Subcommand {
    /** The first argument that selects this tool. */
    String name();

    /** How it is called, for the server's help: {@code mappings test}, {@code healthcheck [<flags>]}. */
    String synopsis();

    /** One sentence on what it does, for the server's help. */
    String summary();

    /**
     * Runs the tool with the arguments after its name.
     *
     * @return the process exit status: 0 for success (and help), 1 for a failed check, 2 for bad usage
     */
    int run(List<String> arguments, PrintStream out, PrintStream err);
}
