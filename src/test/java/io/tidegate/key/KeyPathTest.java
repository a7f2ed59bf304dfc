package io.tidegate.key;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.format.Refusal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeyPathTest {
    /** The key {@code parsed} names; fails the test when it names none. */
    static GroupingKey keyOf(KeyPath.Parsed parsed) {
        assertThat(parsed).isInstanceOf(KeyPath.Key.class);
        return ((KeyPath.Key) parsed).key();
    }

    /** Why {@code parsed} names no key; fails the test when it names one, or is not refused as a bad path. */
    static String refusalOf(KeyPath.Parsed parsed) {
        assertThat(parsed).isInstanceOf(KeyPath.Refused.class);
        Refusal refusal = ((KeyPath.Refused) parsed).refusal();
        assertThat(refusal.reason()).isEqualTo(Refusal.Reason.BAD_PATH);
        return refusal.message();
    }

    @Test
    void jobAndLabelPairsMakeTheGroupingKey() {
        KeyPath.Parsed parsed = KeyPath.parse("backup", false, "/instance/db1/zone/eu");

        assertThat(keyOf(parsed)).isEqualTo(GroupingKey.of(Map.of("job", "backup", "instance", "db1", "zone", "eu")));
    }

    @Test
    void base64ValuesDecodeWithOrWithoutPadding() {
        assertThat(keyOf(KeyPath.parse("x", false, "/path@base64/L3Zhci90bXA=")).get("path")).isEqualTo("/var/tmp");
        assertThat(keyOf(KeyPath.parse("x", false, "/path@base64/L3Zhci90bXA")).get("path")).isEqualTo("/var/tmp");
        assertThat(keyOf(KeyPath.parse("x", false, "/empty@base64/=")).get("empty")).isEmpty();
        assertThat(keyOf(KeyPath.parse("Zm9vL2Jhcg", true, "")).job()).isEqualTo("foo/bar");
    }

    @Test
    void labelsInThePathNeverOverrideTheJob() {
        assertThat(keyOf(KeyPath.parse("a", false, "/job/b")).job()).isEqualTo("a");
    }

    @Test
    void anOddNumberOfComponentsIsRejected() {
        assertThat(refusalOf(KeyPath.parse("a", false, "/b"))).isEqualTo("odd number of components in label string \"/b\"");
    }

    @Test
    void improperLabelNamesAreRejected() {
        assertThat(refusalOf(KeyPath.parse("a", false, "/__b/c"))).isEqualTo("improper label name \"__b\"");
        assertThat(refusalOf(KeyPath.parse("a", false, "/1b/c"))).isEqualTo("improper label name \"1b\"");
    }

    @Test
    void badBase64IsRejectedWithTheOffendingByte() {
        assertThat(refusalOf(KeyPath.parse("a", false, "/x@base64/ab$d")))
                .isEqualTo("invalid base64 encoding for label x=\"ab$d\": illegal base64 data at input byte 2");
        assertThat(refusalOf(KeyPath.parse("a+b", true, "")))
                .isEqualTo("invalid base64 encoding in job name \"\": illegal base64 data at input byte 1");
        assertThat(refusalOf(KeyPath.parse("YWJj!!", true, "")))
                .isEqualTo("invalid base64 encoding in job name \"abc\": illegal base64 data at input byte 4");
    }

    @Test
    void segmentsGiveTheSameKeysAndErrorsAsAPath() {
        assertThat(KeyPath.parse("backup", false, List.of("instance", "db1")))
                .isEqualTo(KeyPath.parse("backup", false, "/instance/db1"));
        assertThat(refusalOf(KeyPath.parse("a", false, List.of("b", "c", "d"))))
                .isEqualTo("odd number of components in label string \"/b/c/d\"");
        assertThat(keyOf(KeyPath.parse("a", false, "/"))).isEqualTo(GroupingKey.of(Map.of("job", "a")));
    }

    @Test
    void aBadJobIsReportedBeforeAnOddNumberOfComponents() {
        assertThat(refusalOf(KeyPath.parse("a+b", true, "/b"))).startsWith("invalid base64 encoding in job name");
    }

    @Test
    void anEmptyJobIsRejected() {
        assertThat(refusalOf(KeyPath.parse("=", true, ""))).isEqualTo("job name is required");
    }

    @Test
    void percentDecodingKeepsPlusAndDecodesSlashes() {
        assertThat(KeyPath.percentDecode("/metrics/job/a%2Fb+c")).isEqualTo("/metrics/job/a/b+c");
        assertThat(KeyPath.percentDecode("/metrics/job/%E2%82%AC")).isEqualTo("/metrics/job/€");
        assertThat(KeyPath.percentDecode("/metrics/job/%zz")).isNull();
        assertThat(KeyPath.percentDecode("/metrics/job/%FF")).isNull();
    }
}
