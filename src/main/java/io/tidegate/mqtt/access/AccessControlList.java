package io.tidegate.mqtt.access;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who may publish and subscribe to what, in Mosquitto's ACL file syntax ({@code man mosquitto.conf},
 * {@code acl_file}):
 *
 * <pre>
 * # a comment
 * topic [read|write|readwrite|deny] &lt;filter&gt;     before any user line: anonymous clients
 * user &lt;name&gt;                                   the topic lines after it are that user's
 * pattern [read|write|readwrite|deny] &lt;filter&gt;   every client; %u its user name, %c its client id
 * </pre>
 *
 * The access is readwrite when left out. What no line grants is denied, and a {@code deny} line that
 * applies wins over every grant (Mosquitto lets a user's own grant pass before it looks at deny
 * patterns; here a deny always wins). A pattern with {@code %u} does not apply to anonymous clients,
 * and one whose user name or client id holds {@code /}, {@code +} or {@code #} grants nothing to that
 * client (and, as a deny, denies). A publish needs write access to its topic; a subscription needs a
 * read grant whose filter covers all of it and no deny that reaches into it, since the broker checks
 * subscriptions, not each message delivered (Mosquitto checks each delivery instead, so it lets a
 * subscription to {@code #} through and delivers only what may be read). A shared subscription
 * ({@code $share/<group>/<filter>}) is checked as its filter. Immutable.
 */
public final class AccessControlList {
    enum Access {
        READ, WRITE, READWRITE, DENY;

        boolean grantsRead() {
            return this == READ || this == READWRITE;
        }

        boolean grantsWrite() {
            return this == WRITE || this == READWRITE;
        }
    }

    record Rule(Access access, AclFilter filter) {}

    private final List<Rule> anonymous;
    private final Map<String, List<Rule>> users;
    private final List<Rule> patterns;

    private AccessControlList(List<Rule> anonymous, Map<String, List<Rule>> users, List<Rule> patterns) {
        this.anonymous = anonymous;
        this.users = users;
        this.patterns = patterns;
    }

    /** Reads {@code file}. @throws AccessFileException naming the file, and the line when one is wrong */
    public static AccessControlList read(Path file) throws AccessFileException {
        return parse(file, AccessFiles.read(file));
    }

    /** The rules in {@code text}, read from {@code file} (named in errors). */
    static AccessControlList parse(Path file, String text) throws AccessFileException {
        List<Rule> anonymous = new ArrayList<>();
        Map<String, List<Rule>> users = new LinkedHashMap<>();
        List<Rule> patterns = new ArrayList<>();
        List<Rule> current = anonymous;
        String[] lines = AccessFiles.lines(text);
        for (int i = 0; i < lines.length; i++) {
            int number = i + 1;
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] words = line.split("[ \t]+", 2);
            String keyword = words[0];
            String rest = words.length > 1 ? words[1] : "";
            switch (keyword) {
                case "user" -> {
                    if (rest.isEmpty()) {
                        throw AccessFileException.atLine(file, number, "user without a name");
                    }
                    current = users.computeIfAbsent(rest, name -> new ArrayList<>());
                }
                case "topic", "pattern" -> {
                    boolean pattern = keyword.equals("pattern");
                    Rule rule = rule(file, number, keyword, rest, pattern);
                    (pattern ? patterns : current).add(rule);
                }
                default -> throw AccessFileException.atLine(file, number, "unknown keyword \"" + keyword
                        + "\" (expected topic, pattern, user or a # comment)");
            }
        }
        Map<String, List<Rule>> frozen = new LinkedHashMap<>();
        users.forEach((name, rules) -> frozen.put(name, List.copyOf(rules)));
        return new AccessControlList(List.copyOf(anonymous), Collections.unmodifiableMap(frozen),
                List.copyOf(patterns));
    }

    /** {@code [access] filter}, as Mosquitto reads it: one word alone is the filter, with readwrite access. */
    private static Rule rule(Path file, int number, String keyword, String rest, boolean pattern)
            throws AccessFileException {
        if (rest.isEmpty()) {
            throw AccessFileException.atLine(file, number, keyword + " without a topic filter");
        }
        String[] words = rest.split("[ \t]+", 2);
        Access access;
        String filter;
        if (words.length == 1) {
            access = Access.READWRITE;
            filter = words[0];
        } else {
            filter = words[1].strip();
            access = switch (words[0]) {
                case "read" -> Access.READ;
                case "write" -> Access.WRITE;
                case "readwrite" -> Access.READWRITE;
                case "deny" -> Access.DENY;
                default -> throw AccessFileException.atLine(file, number, "unknown access \"" + words[0]
                        + "\" (expected read, write, readwrite or deny)");
            };
        }
        try {
            return new Rule(access, AclFilter.parse(filter, pattern));
        } catch (IllegalArgumentException e) {
            throw AccessFileException.atLine(file, number, e.getMessage());
        }
    }

    /**
     * Whether the client may publish on {@code topic} (a topic name, no wildcards).
     *
     * @param username the user name it logged in with, checked against the password file; null when anonymous
     */
    public boolean mayPublish(String username, String clientId, String topic) {
        String[] levels = topic.split("/", -1);
        return decide(username, clientId, (filter) -> AclFilter.matches(filter, levels), Access::grantsWrite,
                (filter) -> AclFilter.matches(filter, levels));
    }

    /** Whether the client may subscribe to {@code filter}: see the class comment. */
    public boolean maySubscribe(String username, String clientId, String filter) {
        String[] levels = withoutShareGroup(filter).split("/", -1);
        return decide(username, clientId, (rule) -> AclFilter.covers(rule, levels), Access::grantsRead,
                (rule) -> AclFilter.overlaps(rule, levels));
    }

    /** {@code $share/<group>/<filter>} is a subscription to {@code <filter>}. */
    private static String withoutShareGroup(String filter) {
        if (filter.startsWith("$share/")) {
            int groupEnd = filter.indexOf('/', "$share/".length());
            if (groupEnd > 0) {
                return filter.substring(groupEnd + 1);
            }
        }
        return filter;
    }

    private interface Relation {
        boolean holds(String[] ruleLevels);
    }

    private interface Grant {
        boolean grants(Access access);
    }

    private boolean decide(String username, String clientId, Relation grantedBy, Grant grant, Relation deniedBy) {
        List<Rule> own = username == null ? anonymous : users.getOrDefault(username, List.of());
        boolean granted = false;
        for (List<Rule> rules : List.of(own, patterns)) {
            for (Rule rule : rules) {
                if (rule.filter().usesUsername() && username == null) {
                    continue; // Mosquitto: a %u pattern is not for anonymous clients
                }
                String[] levels = rule.filter().levelsFor(username, clientId);
                if (rule.access() == Access.DENY) {
                    if (levels == null || deniedBy.holds(levels)) {
                        return false;
                    }
                } else if (!granted && levels != null && grant.grants(rule.access()) && grantedBy.holds(levels)) {
                    granted = true;
                }
            }
        }
        return granted;
    }

    /** How many topic lines (anonymous and users') and pattern lines there are, for the log. */
    public int topicRules() {
        return anonymous.size() + users.values().stream().mapToInt(List::size).sum();
    }

    public int patternRules() {
        return patterns.size();
    }
}
