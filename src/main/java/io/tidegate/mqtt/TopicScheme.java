package io.tidegate.mqtt;

import io.tidegate.format.NameEscaping;
import io.tidegate.format.NameValidation;
import io.tidegate.format.Names;
import io.tidegate.key.KeyPath;
import io.tidegate.key.GroupingKey;
import java.util.Arrays;
import java.util.List;

/**
 * The topics Tidegate takes metrics from, mirroring the HTTP push path:
 * {@code <prefix>/job/<job>{/<label>/<value>}}, with {@code job@base64} and {@code <label>@base64}
 * as in HTTP (read by the same {@link KeyPath#parse} code). One level more, after the last label
 * pair, names the metric of a single-number payload:
 * {@code metrics/job/sensor/room/kitchen/temperature_celsius}. Beside them, {@code <prefix>/tidegate/}
 * holds Tidegate's own topics: its status, the replicated admin wipe ({@link #wipeTopic}) and the
 * groups' states ({@link #stateFilter}).
 */
final class TopicScheme {
    private final String prefix;
    private final String levelPrefix;
    /** {@link #wipeTopic}, made once: every message's topic is compared with it. */
    private final String wipeTopic;
    private final NameValidation names;

    /**
     * @param prefix {@code --mqtt.topic-prefix}, one or more levels ({@code site1/metrics}); a
     *     trailing slash is dropped
     * @throws IllegalArgumentException for an empty prefix or one with wildcards, which no topic
     *     can be published under
     */
    TopicScheme(String prefix) {
        this(prefix, NameValidation.LEGACY);
    }

    /**
     * @param names which label names topics may carry: with UTF-8 names ({@code --push.enable-utf8-names}),
     *     a label level in the {@code U__} value encoding is decoded, as in a push path
     */
    TopicScheme(String prefix, NameValidation names) {
        this.names = names;
        String trimmed = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        if (trimmed.isEmpty() || trimmed.contains("+") || trimmed.contains("#")) {
            throw new IllegalArgumentException("invalid MQTT topic prefix \"" + prefix
                    + "\": it must be one or more topic levels without the wildcards + and #");
        }
        this.prefix = trimmed;
        this.levelPrefix = trimmed + "/";
        this.wipeTopic = levelPrefix + "tidegate/wipe";
    }

    /**
     * What a topic says: its grouping key and the level naming a single-number metric (null when the
     * topic has none), or why it is not a metrics topic.
     */
    record Parsed(GroupingKey key, String metricLevel, String error) {
        static Parsed error(String message) {
            return new Parsed(null, null, message);
        }
    }

    /** The subscriptions that receive every topic of the scheme and nothing else. */
    List<String> topicFilters() {
        return List.of(levelPrefix + GroupingKey.JOB + "/#", levelPrefix + GroupingKey.JOB + KeyPath.BASE64_SUFFIX + "/#");
    }

    /**
     * The topic a replicated admin wipe travels on ({@link ReplicatedWrite}): outside the groups'
     * topics, since a wipe names no group, and so subscribed apart from them by every replica.
     */
    String wipeTopic() {
        return wipeTopic;
    }

    /**
     * The filter of the topics each group's state is kept on by the broker, one retained message per
     * group ({@link GroupStates}): {@code <prefix>/tidegate/state/#}. Outside the groups' topics, so a
     * replica subscribes to it apart from them.
     */
    String stateFilter() {
        return levelPrefix + STATE_LEVELS_PREFIX + "#";
    }

    private static final String STATE_LEVELS_PREFIX = "tidegate/state/";

    /**
     * The topic the broker keeps {@code key}'s state on: the group's own topic ({@link #topicOf}) with
     * {@code tidegate/state/} after the prefix, {@code metrics/tidegate/state/job/backup/instance/db1}.
     */
    String stateTopicOf(GroupingKey key) {
        return levelPrefix + STATE_LEVELS_PREFIX + topicOf(key).substring(levelPrefix.length());
    }

    boolean isStateTopic(String topic) {
        return topic.startsWith(levelPrefix + STATE_LEVELS_PREFIX);
    }

    /** The group's own topic that a state topic ({@link #isStateTopic}) stands for. */
    String groupTopicOfState(String stateTopic) {
        return levelPrefix + stateTopic.substring(levelPrefix.length() + STATE_LEVELS_PREFIX.length());
    }

    /**
     * Whether the topic is one of the scheme's, {@code <prefix>/job/...} or {@code <prefix>/job@base64/...}:
     * those always follow the scheme, whatever mapping rules there are.
     */
    boolean owns(String topic) {
        if (!topic.startsWith(levelPrefix)) {
            return false;
        }
        int end = topic.indexOf('/', levelPrefix.length());
        String first = end < 0 ? topic.substring(levelPrefix.length()) : topic.substring(levelPrefix.length(), end);
        return KeyPath.isJobSegment(first, false) || KeyPath.isJobSegment(first, true);
    }

    Parsed parse(String topic) {
        if (!isEncodable(topic)) {
            return Parsed.error("topic is not valid UTF-8");
        }
        if (!topic.startsWith(levelPrefix)) {
            return Parsed.error("topic is not under " + levelPrefix);
        }
        String[] levels = topic.substring(levelPrefix.length()).split("/", -1);
        boolean jobBase64 = KeyPath.isJobSegment(levels[0], true);
        if (!jobBase64 && !KeyPath.isJobSegment(levels[0], false)) {
            return Parsed.error("topic must start with " + levelPrefix + "job/ or " + levelPrefix + "job@base64/");
        }
        if (levels.length < 2) {
            return Parsed.error("topic has no job level after " + levelPrefix + levels[0]);
        }
        List<String> labelLevels = Arrays.asList(levels).subList(2, levels.length);
        String metricLevel = null;
        if (labelLevels.size() % 2 != 0) {
            metricLevel = labelLevels.get(labelLevels.size() - 1);
            labelLevels = labelLevels.subList(0, labelLevels.size() - 1);
        }
        KeyPath.Parsed key = KeyPath.parse(levels[1], jobBase64, labelLevels, names);
        if (key instanceof KeyPath.Refused refused) {
            return Parsed.error(refused.refusal().message());
        }
        return new Parsed(((KeyPath.Key) key).key(), metricLevel, null);
    }

    /**
     * The one topic a write to {@code key} is published on, which {@link #parse} reads back to the same
     * key: {@code <prefix>/job/<job>} and the other labels in name order, each value as it is unless a
     * topic level cannot hold it as such (empty, or with {@code /}, {@code +}, {@code #}, a control
     * character), then {@code <name>@base64/<base64url>}; a UTF-8 label name in the {@code U__} value
     * encoding, which {@link #parse} decodes, so a name with {@code /}, {@code +} or {@code #} fits a level.
     */
    String topicOf(GroupingKey key) {
        StringBuilder topic = new StringBuilder(levelPrefix);
        appendLevel(topic, GroupingKey.JOB, key.job());
        for (io.tidegate.format.Label label : key.labels()) {
            if (!label.name().equals(GroupingKey.JOB)) {
                topic.append('/');
                appendLevel(topic, label.name(), label.value());
            }
        }
        return topic.toString();
    }

    private static void appendLevel(StringBuilder topic, String labelName, String value) {
        String name = Names.isValidLabelName(labelName) ? labelName : NameEscaping.VALUES.escape(labelName);
        if (needsBase64(value)) {
            String encoded = java.util.Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            // "=" is upstream's spelling of the empty value
            topic.append(name).append(KeyPath.BASE64_SUFFIX).append('/').append(encoded.isEmpty() ? "=" : encoded);
        } else {
            topic.append(name).append('/').append(value);
        }
    }

    private static boolean needsBase64(String value) {
        if (value.isEmpty()) {
            return true;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '/' || c == '+' || c == '#' || Character.isISOControl(c)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return prefix;
    }

    /**
     * Whether the topic is well-formed UTF-8 text as MQTT defines it: a lone surrogate has no UTF-8
     * encoding, and U+0000 is forbidden in topics; a transport that decodes leniently lets either through.
     */
    static boolean isEncodable(String topic) {
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            if (c == 0) {
                return false;
            }
            if (Character.isHighSurrogate(c) && i + 1 < topic.length() && Character.isLowSurrogate(topic.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
