package io.tidegate.key;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.format.Refusal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PushPathTest {
    /** The key {@code parsed} names; fails the test when it names none. */
    static GroupingKey keyOf(PushPath.Parsed parsed) {
        assertThat(parsed).isInstanceOf(PushPath.Key.class);
        return ((PushPath.Key) parsed).key();
    }

    /** Why {@code parsed} names no key; fails the test when it names one, or is not refused as a bad path. */
    static String refusalOf(PushPath.Parsed parsed) {
        assertThat(parsed).isInstanceOf(PushPath.Refused.class);
        Refusal refusal = ((PushPath.Refused) parsed).refusal();
        assertThat(refusal.reason()).isEqualTo(Refusal.Reason.BAD_PATH);
        return refusal.message();
    }

    @Test
    void jobAndLabelPairsMakeTheGroupingKey() {
        PushPath.Parsed parsed = PushPath.parse("backup", false, "/instance/db1/zone/eu");

        assertThat(keyOf(parsed)).isEqualTo(GroupingKey.of(Map.of("job", "backup", "instance", "db1", "zone", "eu")));
    }

    @Test
    void base64ValuesDecodeWithOrWithoutPadding() {
        assertThat(keyOf(PushPath.parse("x", false, "/path@base64/L3Zhci90bXA=")).get("path")).isEqualTo("/var/tmp");
        assertThat(keyOf(PushPath.parse("x", false, "/path@base64/L3Zhci90bXA")).get("path")).isEqualTo("/var/tmp");
        assertThat(keyOf(PushPath.parse("x", false, "/empty@base64/=")).get("empty")).isEmpty();
        assertThat(keyOf(PushPath.parse("Zm9vL2Jhcg", true, "")).job()).isEqualTo("foo/bar");
    }

    @Test
    void labelsInThePathNeverOverrideTheJob() {
        assertThat(keyOf(PushPath.parse("a", false, "/job/b")).job()).isEqualTo("a");
    }

    @Test
    void anOddNumberOfComponentsIsRejected() {
        assertThat(refusalOf(PushPath.parse("a", false, "/b"))).isEqualTo("odd number of components in label string \"/b\"");
    }

    @Test
    void improperLabelNamesAreRejected() {
        assertThat(refusalOf(PushPath.parse("a", false, "/__b/c"))).isEqualTo("improper label name \"__b\"");
        assertThat(refusalOf(PushPath.parse("a", false, "/1b/c"))).isEqualTo("improper label name \"1b\"");
    }

    @Test
    void badBase64IsRejectedWithTheOffendingByte() {
        assertThat(refusalOf(PushPath.parse("a", false, "/x@base64/ab$d")))
                .isEqualTo("invalid base64 encoding for label x=\"ab$d\": illegal base64 data at input byte 2");
        assertThat(refusalOf(PushPath.parse("a+b", true, "")))
                .isEqualTo("invalid base64 encoding in job name \"\": illegal base64 data at input byte 1");
        assertThat(refusalOf(PushPath.parse("YWJj!!", true, "")))
                .isEqualTo("invalid base64 encoding in job name \"abc\": illegal base64 data at input byte 4");
    }

    @Test
    void segmentsGiveTheSameKeysAndErrorsAsAPath() {
        assertThat(PushPath.parse("backup", false, List.of("instance", "db1")))
                .isEqualTo(PushPath.parse("backup", false, "/instance/db1"));
        assertThat(refusalOf(PushPath.parse("a", false, List.of("b", "c", "d"))))
                .isEqualTo("odd number of components in label string \"/b/c/d\"");
        assertThat(keyOf(PushPath.parse("a", false, "/"))).isEqualTo(GroupingKey.of(Map.of("job", "a")));
    }

    @Test
    void aBadJobIsReportedBeforeAnOddNumberOfComponents() {
        assertThat(refusalOf(PushPath.parse("a+b", true, "/b"))).startsWith("invalid base64 encoding in job name");
    }

    @Test
    void anEmptyJobIsRejected() {
        assertThat(refusalOf(PushPath.parse("=", true, ""))).isEqualTo("job name is required");
    }

    @Test
    void percentDecodingKeepsPlusAndDecodesSlashes() {
        assertThat(PushPath.percentDecode("/metrics/job/a%2Fb+c")).isEqualTo("/metrics/job/a/b+c");
        assertThat(PushPath.percentDecode("/metrics/job/%E2%82%AC")).isEqualTo("/metrics/job/€");
        assertThat(PushPath.percentDecode("/metrics/job/%zz")).isNull();
        assertThat(PushPath.percentDecode("/metrics/job/%FF")).isNull();
    }
}
