package io.tidegate.config;

import io.tidegate.format.GoQuote;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.ReaderException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * A value of the configuration file together with where it is, so that every problem found in it
 * is a {@link ConfigException} naming the file, the place (a section or a list entry, with its
 * line) and the value: {@code tidegate.yml: ttl_rules[2] (line 7): ttl "5x": ...}. The only class
 * that sees the YAML library; sections read their part of the file through it.
 */
public final class ConfigNode {
    /** Far deeper than any Tidegate configuration; keeps the YAML library's recursion bounded. */
    public static final int MAX_DEPTH = 50;

    private final String file;
    private final String place;
    private final String name;
    private final boolean ownsPlace;
    private final Node node;

    private ConfigNode(String file, String place, String name, boolean ownsPlace, Node node) {
        this.file = file;
        this.place = place;
        this.name = name;
        this.ownsPlace = ownsPlace;
        this.node = node;
    }

    /**
     * The whole file, read as one YAML document; an empty file (or only comments) is a null node.
     *
     * @param file the file as messages name it
     */
    public static ConfigNode parse(String file, String text) throws ConfigException {
        // non-scalar keys are let through so that the check of each key can say where the wrong one is
        LoadSettings settings = LoadSettings.builder().setLabel(file).setSchema(new CoreSchema())
                .setAllowNonScalarKeys(true).build();
        try {
            checkDepth(file, settings, text);
            Optional<Node> root = new Compose(settings).composeString(text);
            return new ConfigNode(file, "", "", true, root.orElse(null));
        } catch (MarkedYamlEngineException e) {
            StringBuilder message = new StringBuilder(file).append(": YAML syntax error");
            e.getProblemMark().ifPresent(mark -> message.append(" at ").append(position(mark)));
            message.append(": ");
            String problem = String.valueOf(e.getProblem());
            boolean hasContext = e.getContext() != null && !e.getContext().isEmpty();
            if (hasContext && problem.startsWith("but ")) {
                throw new ConfigException(message.append(e.getContext()).append(", ").append(problem).toString());
            }
            message.append(problem);
            if (hasContext) {
                message.append(" (").append(e.getContext());
                e.getContextMark().ifPresent(mark -> message.append(" at ").append(position(mark)));
                message.append(')');
            }
            throw new ConfigException(message.toString());
        } catch (ReaderException e) {
            throw new ConfigException(file + ": YAML syntax error at " + position(text, e.getPosition()) + ": character "
                    + String.format(Locale.ROOT, "U+%04X", e.getCodePoint()) + " is not allowed in YAML");
        } catch (YamlEngineException e) {
            throw new ConfigException(file + ": invalid YAML: " + e.getMessage());
        }
    }

    /** The parser keeps its own stack, the composer recurses: refuse absurd nesting before composing. */
    private static void checkDepth(String file, LoadSettings settings, String text) throws ConfigException {
        int depth = 0;
        for (Event event : new Parse(settings).parseString(text)) {
            switch (event.getEventId()) {
                case MappingStart, SequenceStart -> {
                    if (++depth > MAX_DEPTH) {
                        throw new ConfigException(file + ": YAML nested deeper than " + MAX_DEPTH + " levels"
                                + event.getStartMark().map(mark -> " at " + position(mark)).orElse(""));
                    }
                }
                case MappingEnd, SequenceEnd -> depth--;
                default -> { }
            }
        }
    }

    /** Line and column of the code point with this index. */
    private static String position(String text, int codePointIndex) {
        int line = 1;
        int column = 1;
        int index = 0;
        for (int i = 0; i < text.length() && index < codePointIndex; index++) {
            if (text.charAt(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
            i += Character.charCount(text.codePointAt(i));
        }
        return "line " + line + ", column " + column;
    }

    private static String position(Mark mark) {
        return "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
    }

    /** The top-level mapping's values by key, each its own place: {@code ttl_rules (line 1)}. */
    public Map<String, ConfigNode> sections(List<String> known) throws ConfigException {
        return mapping("a mapping of sections (" + String.join(", ", known) + ") at the top", known, "top-level key", true);
    }

    /** A mapping's values by key, reported at this node's place, each named by its key. */
    public Map<String, ConfigNode> fields(String expected, List<String> known) throws ConfigException {
        return mapping(expected, known, "key", false);
    }

    /**
     * A mapping whose keys are data rather than a schema ({@code basic_auth_users: {alice: ...}}):
     * every key, in file order, each value reported at this node's place and named by its key.
     */
    public Map<String, ConfigNode> pairs(String expected) throws ConfigException {
        return mapping(expected, null, "key", false);
    }

    /** A YAML boolean: true or false. */
    public boolean bool() throws ConfigException {
        if (node instanceof ScalarNode && Tag.BOOL.equals(node.getTag())) {
            return Boolean.parseBoolean(((ScalarNode) node).getValue().toLowerCase(Locale.ROOT));
        }
        throw expectedKind("true or false");
    }

    /**
     * A list's entries, each its own place: {@code ttl_rules[2] (line 7)}, or within an entry
     * {@code mqtt_mappings[1] (line 3): metrics[2] (line 9)}. Null is an empty list.
     */
    public List<ConfigNode> entries(String expected) throws ConfigException {
        return list(expected, true);
    }

    /** A list's elements, reported at this node's place, each named by index: {@code match[2]}. */
    public List<ConfigNode> elements(String expected) throws ConfigException {
        return list(expected, false);
    }

    /** A scalar's text, whatever YAML type it resolved to ({@code 300} and {@code 5m} alike). */
    public String text(String expected) throws ConfigException {
        if (node instanceof ScalarNode scalar && !isNull()) {
            return scalar.getValue();
        }
        throw expectedKind(expected);
    }

    public boolean isNull() {
        return node == null || (node instanceof ScalarNode && Tag.NULL.equals(node.getTag()));
    }

    public boolean isList() {
        return node instanceof SequenceNode;
    }

    public boolean isMapping() {
        return node instanceof MappingNode;
    }

    /** {@code <file>: <place>: <what>}. */
    public ConfigException problem(String what) {
        return new ConfigException(file + ": " + (place.isEmpty() ? "" : place + ": ") + what);
    }

    /** {@code <place>: <name>: <why>}, such as {@code match: invalid regex ...}. */
    public ConfigException invalid(String why) {
        return problem(label() + why);
    }

    /** {@code <place>: <name> "<value>": <why>}, such as {@code source "tcp": expected http or mqtt}. */
    public ConfigException invalid(String value, String why) {
        return problem((ownsPlace ? "" : name + " ") + GoQuote.string(value) + ": " + why);
    }

    public ConfigException expectedKind(String expected) {
        return problem(label() + "expected " + expected + ", found " + kind(node));
    }

    private String label() {
        return ownsPlace ? "" : name + ": ";
    }

    /** @param known the keys allowed, or null for any */
    private Map<String, ConfigNode> mapping(String expected, List<String> known, String keyWord, boolean childrenOwnPlaces)
            throws ConfigException {
        if (isNull()) {
            return Map.of();
        }
        if (!(node instanceof MappingNode mapping)) {
            throw expectedKind(expected);
        }
        Map<String, ConfigNode> children = new LinkedHashMap<>();
        Map<String, Integer> keyLines = new HashMap<>();
        List<String> unknown = new ArrayList<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node key = tuple.getKeyNode();
            int keyLine = line(key);
            if (!(key instanceof ScalarNode scalar) || Tag.NULL.equals(key.getTag())) {
                throw problem(label() + "expected a name as " + keyWord + ", found " + kind(key) + at(keyLine));
            }
            String keyName = scalar.getValue();
            Integer firstLine = keyLines.putIfAbsent(keyName, keyLine);
            if (firstLine != null) {
                throw problem(label() + "duplicate " + keyWord + " " + GoQuote.string(keyName)
                        + (firstLine > 0 ? " (lines " + firstLine + " and " + keyLine + ")" : ""));
            }
            if (known != null && !known.contains(keyName)) {
                unknown.add(GoQuote.string(keyName) + at(keyLine));
                continue;
            }
            Node value = tuple.getValueNode();
            children.put(keyName, childrenOwnPlaces
                    ? new ConfigNode(file, keyName + at(keyLine), keyName, true, value)
                    : new ConfigNode(file, place, keyName, false, value));
        }
        if (!unknown.isEmpty()) {
            throw problem(label() + "unknown " + keyWord + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
                    + "; known: " + String.join(", ", known));
        }
        return children;
    }

    private List<ConfigNode> list(String expected, boolean childrenOwnPlaces) throws ConfigException {
        if (isNull()) {
            return List.of();
        }
        if (!(node instanceof SequenceNode sequence)) {
            throw expectedKind(expected);
        }
        List<ConfigNode> children = new ArrayList<>();
        // a list inside an entry (a rule's metrics) keeps the entry's place in front of its own
        String within = ownsPlace || place.isEmpty() ? "" : place + ": ";
        for (Node item : sequence.getValue()) {
            String itemName = name + "[" + (children.size() + 1) + "]";
            children.add(childrenOwnPlaces
                    ? new ConfigNode(file, within + itemName + at(line(item)), itemName, true, item)
                    : new ConfigNode(file, place, itemName, false, item));
        }
        return children;
    }

    private static int line(Node node) {
        return node == null ? 0 : node.getStartMark().map(mark -> mark.getLine() + 1).orElse(0);
    }

    private static String at(int line) {
        return line > 0 ? " (line " + line + ")" : "";
    }

    private static String kind(Node node) {
        if (node == null) {
            return "nothing";
        }
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        Tag tag = node.getTag();
        if (Tag.NULL.equals(tag)) {
            return "nothing (null)";
        }
        String value = ((ScalarNode) node).getValue();
        if (Tag.BOOL.equals(tag)) {
            return "the boolean " + value;
        }
        if (Tag.INT.equals(tag) || Tag.FLOAT.equals(tag)) {
            return "the number " + value;
        }
        return "the string " + GoQuote.string(value);
    }
}
