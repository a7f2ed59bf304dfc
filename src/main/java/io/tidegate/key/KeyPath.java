package io.tidegate.key;

import io.tidegate.format.GoQuote;
import io.tidegate.format.NameValidation;
import io.tidegate.format.Names;
import io.tidegate.format.Refusal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The grouping-key path grammar: reads a grouping key from the path of a push,
 * {@code job/<job>{/<label>/<value>}} after the {@code /metrics/} prefix, exactly as upstream does: the path is percent-decoded first (so an
 * encoded slash separates), {@code <name>@base64} takes a base64url value with optional padding,
 * and labels from the path never override {@code job}. MQTT topics follow the same scheme and are
 * read by the same code, so a key means the same whichever way it arrived.
 */
public final class KeyPath {
    public static final String BASE64_SUFFIX = "@base64";
    private static final String JOB_BASE64 = GroupingKey.JOB + BASE64_SUFFIX;

    private KeyPath() {}

    /** What a push path or topic says: the grouping key it names, or why it names none. */
    public sealed interface Parsed permits Key, Refused {}

    /** The grouping key a push path or topic names. */
    public record Key(GroupingKey key) implements Parsed {}

    /** A push path or topic that names no grouping key: the refusal ({@link Refusal.Reason#BAD_PATH}) says why. */
    public record Refused(Refusal refusal) implements Parsed {}

    /**
     * @param jobSegment the (decoded) job segment, base64 when {@code jobBase64}
     * @param labelPath the rest of the decoded path after the job, starting with '/' or empty
     */
    public static Parsed parse(String jobSegment, boolean jobBase64, String labelPath) {
        return parse(jobSegment, jobBase64, labelPath, NameValidation.LEGACY);
    }

    /** {@link #parse(String, boolean, String)}, label names read by {@code names}. */
    public static Parsed parse(String jobSegment, boolean jobBase64, String labelPath, NameValidation names) {
        List<String> levels = labelPath.length() > 1 ? Arrays.asList(labelPath.substring(1).split("/", -1)) : List.of();
        return parse(jobSegment, jobBase64, levels, names);
    }

    /** {@link #parse(String, boolean, List, NameValidation)} with legacy names. */
    public static Parsed parse(String jobSegment, boolean jobBase64, List<String> labelLevels) {
        return parse(jobSegment, jobBase64, labelLevels, NameValidation.LEGACY);
    }

    /**
     * The grouping key of a push path or an MQTT topic, given as its segments: the one every ingest
     * path reads keys with, so both accept the same names and base64 values with the same messages.
     *
     * @param jobSegment the job segment, base64 when {@code jobBase64}
     * @param labelLevels the segments after the job: label name, value, name, value...
     * @param names which label names are accepted; with UTF-8 names, a name in the {@code U__} value encoding
     *     is decoded first, as upstream 1.11 does with {@code --push.enable-utf8-names}
     */
    public static Parsed parse(String jobSegment, boolean jobBase64, List<String> labelLevels, NameValidation names) {
        String job = jobSegment;
        if (jobBase64) {
            try {
                job = Base64Url.decode(jobSegment);
            } catch (Base64Url.InvalidBase64 e) {
                // upstream quotes what it decoded before the error, not the segment
                return refused("invalid base64 encoding in job name " + GoQuote.string(e.decodedPrefix) + ": "
                        + e.getMessage());
            }
        }
        if (labelLevels.size() % 2 != 0) {
            return refused("odd number of components in label string " + GoQuote.string("/" + String.join("/", labelLevels)));
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (int i = 0; i < labelLevels.size(); i += 2) {
            String name = labelLevels.get(i);
            String value = labelLevels.get(i + 1);
            boolean base64 = name.endsWith(BASE64_SUFFIX);
            String trimmed = base64 ? name.substring(0, name.length() - BASE64_SUFFIX.length()) : name;
            String labelName = names.pathLabelName(trimmed);
            // upstream checks the reserved prefix on the name as written; the decoded name may not start with it either
            if (!names.isUsableLabelName(labelName) || trimmed.startsWith(Names.RESERVED_PREFIX)) {
                return refused("improper label name " + GoQuote.string(trimmed));
            }
            if (base64) {
                try {
                    value = Base64Url.decode(value);
                } catch (IllegalArgumentException e) {
                    return refused("invalid base64 encoding for label " + trimmed + "=" + GoQuote.string(value) + ": "
                            + e.getMessage());
                }
            }
            labels.put(labelName, value);
        }
        if (job.isEmpty()) {
            return refused("job name is required");
        }
        labels.put(GroupingKey.JOB, job);
        return new Key(GroupingKey.of(labels));
    }

    /** Whether a segment is the one that introduces the job: {@code job}, or {@code job@base64} when {@code base64}. */
    public static boolean isJobSegment(String segment, boolean base64) {
        return segment.equals(base64 ? JOB_BASE64 : GroupingKey.JOB);
    }

    private static Parsed refused(String message) {
        return new Refused(new Refusal(Refusal.Reason.BAD_PATH, message));
    }

    /**
     * Percent-decodes a URL path as Go's net/url does for r.URL.Path: {@code %XX} only ('+' stays a
     * plus). Returns null for a malformed escape or bytes that are not UTF-8, which no label may hold.
     */
    public static String percentDecode(String rawPath) {
        if (rawPath.indexOf('%') < 0) {
            return rawPath;
        }
        byte[] out = new byte[rawPath.length() * 3];
        int length = 0;
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c == '%') {
                if (i + 2 >= rawPath.length()) {
                    return null;
                }
                int high = Character.digit(rawPath.charAt(i + 1), 16);
                int low = Character.digit(rawPath.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    return null;
                }
                out[length++] = (byte) (high * 16 + low);
                i += 2;
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                for (byte b : encoded) {
                    out[length++] = b;
                }
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(out, 0, length)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }
}
