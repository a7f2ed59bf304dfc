package io.tidegate.mqtt.mapping;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A text in a mapping rule that may take topic levels a {@link TopicPattern} captured:
 * {@code "{device}"}, {@code "shelly_{sensor}"}, or plain {@code "zigbee2mqtt"}. {@code {{} and
 * {@code }}} stand for literal braces. Checked when the rule is loaded, so every name it uses is
 * one the rule's topic captures.
 */
public final class CaptureTemplate {
    private final String text;
    /** Literal texts at even indexes, capture names at odd ones. */
    private final List<String> parts;

    private CaptureTemplate(String text, List<String> parts) {
        this.text = text;
        this.parts = parts;
    }

    /**
     * @param captureNames the names the rule's topic captures
     * @throws IllegalArgumentException for an unclosed brace or a name the topic does not capture
     */
    public static CaptureTemplate parse(String text, List<String> captureNames) {
        List<String> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c == '{' || c == '}') && i + 1 < text.length() && text.charAt(i + 1) == c) {
                literal.append(c);
                i++;
            } else if (c == '{') {
                int close = text.indexOf('}', i);
                if (close < 0) {
                    throw new IllegalArgumentException("unclosed { at position " + (i + 1) + " (write {{ for a brace)");
                }
                String name = text.substring(i + 1, close);
                if (!captureNames.contains(name)) {
                    throw new IllegalArgumentException("{" + name + "} is not a wildcard name of the topic"
                            + (captureNames.isEmpty() ? " (it names none)" : " (it names " + String.join(", ", captureNames) + ")"));
                }
                parts.add(literal.toString());
                parts.add(name);
                literal.setLength(0);
                i = close;
            } else if (c == '}') {
                throw new IllegalArgumentException("} at position " + (i + 1) + " closes nothing (write }} for a brace)");
            } else {
                literal.append(c);
            }
        }
        parts.add(literal.toString());
        return new CaptureTemplate(text, List.copyOf(parts));
    }

    /** The text with the captured levels put in. */
    public String render(Map<String, String> captures) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        StringBuilder out = new StringBuilder(parts.get(0));
        for (int i = 1; i < parts.size(); i += 2) {
            out.append(captures.getOrDefault(parts.get(i), "")).append(parts.get(i + 1));
        }
        return out.toString();
    }

    /** As written in the configuration. */
    @Override
    public String toString() {
        return text;
    }
}
