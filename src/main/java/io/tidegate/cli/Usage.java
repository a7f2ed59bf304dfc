package io.tidegate.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What {@code tidegate --help} and {@code tidegate help} print, laid out as a Prometheus component's
 * help is: a short usage, the commands, then every flag under the heading of its part (the first
 * word of its name), each with its default. Also the "did you mean" of an unknown flag.
 */
public final class Usage {
    /** Column where flag descriptions start; a longer flag puts its description on the next line. */
    private static final int DESCRIPTION_COLUMN = 34;
    private static final int MIN_WIDTH = 60;

    /** Headings of the flags' parts, by the start of their names, most specific first. */
    private static final Map<String, String> PARTS = parts();

    private static Map<String, String> parts() {
        Map<String, String> parts = new LinkedHashMap<>();
        parts.put("--web.", "Web");
        parts.put("--persistence.", "Persistence");
        parts.put("--push.", "Push limits");
        parts.put("--store.", "Store limits");
        parts.put("--config.", "Configuration file");
        parts.put("--ttl.", "Expiry");
        parts.put("--mqtt.embedded", "Embedded MQTT broker (without --mqtt.url)");
        parts.put("--mqtt.listen-address", "Embedded MQTT broker (without --mqtt.url)");
        parts.put("--mqtt.", "MQTT");
        parts.put("--log.", "Logging");
        return parts;
    }

    private Usage() {}

    /**
     * Prints the server's help: usage, commands, flags by part.
     *
     * @param commandLine the server's command line ({@link Flags#commandLine})
     * @param commands the tools that run instead of the server, by name
     */
    public static void print(CommandLine commandLine, List<Subcommand> commands, PrintStream out) {
        int width = Math.max(MIN_WIDTH, commandLine.getUsageHelpWidth());
        StringBuilder text = new StringBuilder();
        text.append("usage: tidegate [<flags>]\n");
        text.append("       tidegate <command> [<args>]\n\n");
        for (String line : commandLine.getCommandSpec().usageMessage().description()) {
            text.append(line).append("\n\n");
        }
        text.append("Commands:\n");
        entry(text, "help [<command>]", "Show this help, or a command's.", width);
        for (Subcommand command : commands) {
            entry(text, command.synopsis(), command.summary(), width);
        }
        byPart(commandLine).forEach((part, options) -> {
            text.append('\n').append(part).append(":\n");
            for (OptionSpec option : options) {
                entry(text, flag(option), description(option), width);
            }
        });
        out.print(text);
        out.flush();
    }

    /**
     * The same help as a man page ({@code tidegate --help-man > tidegate.1}), as upstream's
     * {@code --help-man} prints its own: name, synopsis, description, the commands, then every flag
     * under the heading of its part, in troff.
     */
    public static void printManPage(CommandLine commandLine, List<Subcommand> commands, PrintStream out) {
        StringBuilder man = new StringBuilder();
        String version = String.join(" ", commandLine.getCommandSpec().version());
        man.append(".TH TIDEGATE 1 \"\" ").append(troffQuoted(version)).append(" \"Tidegate\"\n");
        man.append(".SH NAME\ntidegate \\- ");
        man.append(troff(String.join(" ", commandLine.getCommandSpec().usageMessage().description()))).append('\n');
        man.append(".SH SYNOPSIS\n.B tidegate\n[\\fIflags\\fR]\n.br\n.B tidegate\n\\fIcommand\\fR [\\fIargs\\fR]\n");
        man.append(".SH COMMANDS\n");
        manEntry(man, "help [<command>]", "Show the help, or a command's.");
        for (Subcommand command : commands) {
            manEntry(man, command.synopsis(), command.summary());
        }
        byPart(commandLine).forEach((part, options) -> {
            man.append(".SH ").append(troff(part.equals("Flags") ? "FLAGS" : part.toUpperCase(Locale.ROOT)))
                    .append('\n');
            for (OptionSpec option : options) {
                manEntry(man, flag(option), description(option));
            }
        });
        out.print(man);
        out.flush();
    }

    private static void manEntry(StringBuilder man, String name, String description) {
        man.append(".TP\n\\fB").append(troff(name)).append("\\fR\n").append(troff(description)).append('\n');
    }

    /** Text set as troff reads it: backslashes and hyphens escaped, no line starting a request. */
    static String troff(String text) {
        String escaped = text.replace("\\", "\\e").replace("-", "\\-");
        return escaped.startsWith(".") || escaped.startsWith("'") ? "\\&" + escaped : escaped;
    }

    private static String troffQuoted(String text) {
        return "\"" + troff(text).replace("\"", "\"\"") + "\"";
    }

    /** The options under the heading of their part, parts in their order, empty parts left out. */
    private static Map<String, List<OptionSpec>> byPart(CommandLine commandLine) {
        Map<String, List<OptionSpec>> byPart = new LinkedHashMap<>();
        byPart.put("Flags", new ArrayList<>());
        PARTS.values().forEach(part -> byPart.putIfAbsent(part, new ArrayList<>()));
        for (OptionSpec option : commandLine.getCommandSpec().options()) {
            byPart.get(part(option)).add(option);
        }
        // -h, --help first, then its kin (--help-long, ...), the version last
        byPart.get("Flags").sort(Comparator.comparingInt(option -> option.usageHelp() ? 0
                : option.versionHelp() ? 2 : 1));
        byPart.values().removeIf(List::isEmpty);
        return byPart;
    }

    private static String part(OptionSpec option) {
        String name = option.longestName();
        for (Map.Entry<String, String> part : PARTS.entrySet()) {
            if (name.startsWith(part.getKey())) {
                return part.getValue();
            }
        }
        return "Flags";
    }

    /** {@code --web.listen-address=<address>}, {@code --[no-]web.enable-lifecycle}, {@code -h, --help}. */
    private static String flag(OptionSpec option) {
        String longest = option.longestName();
        if (option.negatable()) {
            return "--[no-]" + longest.substring(2);
        }
        String names = option.names().length > 1 ? String.join(", ", option.names()) : longest;
        return option.arity().max() == 0 ? names : names + "=" + option.paramLabel();
    }

    /** The flag's description, with its default at the end unless it already says it (or has none). */
    private static String description(OptionSpec option) {
        String description = String.join(" ", option.description());
        String defaultValue = option.defaultValue();
        boolean saysDefault = description.contains("default");
        boolean hasDefault = defaultValue != null && !defaultValue.isEmpty()
                && !(option.arity().max() == 0 || option.negatable()) || option.negatable() && "true".equals(defaultValue);
        if (hasDefault && !saysDefault) {
            description += " (default: " + (option.negatable() ? "on" : defaultValue) + ")";
        }
        return description;
    }

    /** Two columns: the flag (or command), and its description wrapped at {@code width}. */
    private static void entry(StringBuilder text, String name, String description, int width) {
        String indent = " ".repeat(DESCRIPTION_COLUMN);
        String head = "  " + name;
        List<String> lines = wrap(description, width - DESCRIPTION_COLUMN);
        if (head.length() + 2 > DESCRIPTION_COLUMN) {
            text.append(head).append('\n');
            lines.forEach(line -> text.append(indent).append(line).append('\n'));
            return;
        }
        text.append(head).append(" ".repeat(DESCRIPTION_COLUMN - head.length()));
        for (int i = 0; i < lines.size(); i++) {
            text.append(i == 0 ? "" : indent).append(lines.get(i)).append('\n');
        }
        if (lines.isEmpty()) {
            text.append('\n');
        }
    }

    /** Words wrapped at {@code width}; a word longer than that stands on its own line, unbroken. */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.strip().split("\\s+")) {
            if (word.isEmpty()) {
                continue;
            }
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }

    /**
     * What a mistyped argument was most likely meant to be: the flag (or, for a bare word, the command)
     * closest by edit distance, if close enough (at most a third of its letters changed, or two);
     * empty otherwise.
     */
    public static Optional<String> closest(CommandLine commandLine, List<Subcommand> commands, String typed) {
        String name = typed.contains("=") ? typed.substring(0, typed.indexOf('=')) : typed;
        List<String> candidates = new ArrayList<>();
        if (name.startsWith("-")) {
            for (OptionSpec option : commandLine.getCommandSpec().options()) {
                candidates.addAll(List.of(option.names()));
                if (option.negatable()) {
                    candidates.add("--no-" + option.longestName().substring(2));
                }
            }
        } else {
            candidates.add("help");
            commands.forEach(command -> candidates.add(command.name()));
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int distance = distance(name, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best != null && bestDistance > 0 && bestDistance <= Math.max(2, name.length() / 3)
                ? Optional.of(best) : Optional.empty();
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
