package io.tidegate.key;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PushPathTest {
    @Test
    void jobAndLabelPairsMakeTheGroupingKey() {
        PushPath.Parsed parsed = PushPath.parse("backup", false, "/instance/db1/zone/eu");

        assertThat(parsed.key()).isEqualTo(GroupingKey.of(Map.of("job", "backup", "instance", "db1", "zone", "eu")));
    }

    @Test
    void base64ValuesDecodeWithOrWithoutPadding() {
        assertThat(PushPath.parse("x", false, "/path@base64/L3Zhci90bXA=").key().get("path")).isEqualTo("/var/tmp");
        assertThat(PushPath.parse("x", false, "/path@base64/L3Zhci90bXA").key().get("path")).isEqualTo("/var/tmp");
        assertThat(PushPath.parse("x", false, "/empty@base64/=").key().get("empty")).isEmpty();
        assertThat(PushPath.parse("Zm9vL2Jhcg", true, "").key().job()).isEqualTo("foo/bar");
    }

    @Test
    void labelsInThePathNeverOverrideTheJob() {
        assertThat(PushPath.parse("a", false, "/job/b").key().job()).isEqualTo("a");
    }

    @Test
    void anOddNumberOfComponentsIsRejected() {
        assertThat(PushPath.parse("a", false, "/b").error()).isEqualTo("odd number of components in label string \"/b\"");
    }

    @Test
    void improperLabelNamesAreRejected() {
        assertThat(PushPath.parse("a", false, "/__b/c").error()).isEqualTo("improper label name \"__b\"");
        assertThat(PushPath.parse("a", false, "/1b/c").error()).isEqualTo("improper label name \"1b\"");
    }

    @Test
    void badBase64IsRejectedWithTheOffendingByte() {
        assertThat(PushPath.parse("a", false, "/x@base64/ab$d").error())
                .isEqualTo("invalid base64 encoding for label x=\"ab$d\": illegal base64 data at input byte 2");
        assertThat(PushPath.parse("a+b", true, "").error())
                .isEqualTo("invalid base64 encoding in job name \"\": illegal base64 data at input byte 1");
        assertThat(PushPath.parse("YWJj!!", true, "").error())
                .isEqualTo("invalid base64 encoding in job name \"abc\": illegal base64 data at input byte 4");
    }

    @Test
    void segmentsGiveTheSameKeysAndErrorsAsAPath() {
        assertThat(PushPath.parse("backup", false, List.of("instance", "db1")))
                .isEqualTo(PushPath.parse("backup", false, "/instance/db1"));
        assertThat(PushPath.parse("a", false, List.of("b", "c", "d")).error())
                .isEqualTo("odd number of components in label string \"/b/c/d\"");
        assertThat(PushPath.parse("a", false, "/").key()).isEqualTo(GroupingKey.of(Map.of("job", "a")));
    }

    @Test
    void aBadJobIsReportedBeforeAnOddNumberOfComponents() {
        assertThat(PushPath.parse("a+b", true, "/b").error()).startsWith("invalid base64 encoding in job name");
    }

    @Test
    void anEmptyJobIsRejected() {
        assertThat(PushPath.parse("=", true, "").error()).isEqualTo("job name is required");
    }

    @Test
    void percentDecodingKeepsPlusAndDecodesSlashes() {
        assertThat(PushPath.percentDecode("/metrics/job/a%2Fb+c")).isEqualTo("/metrics/job/a/b+c");
        assertThat(PushPath.percentDecode("/metrics/job/%E2%82%AC")).isEqualTo("/metrics/job/€");
        assertThat(PushPath.percentDecode("/metrics/job/%zz")).isNull();
        assertThat(PushPath.percentDecode("/metrics/job/%FF")).isNull();
    }
}
