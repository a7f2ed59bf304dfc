package io.tidegate.key;

import static io.tidegate.key.KeyPathTest.keyOf;
import static io.tidegate.key.KeyPathTest.refusalOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.format.NameValidation;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Grouping-key paths with {@code --push.enable-utf8-names}: a label name in the {@code U__} value encoding is
 * decoded, as upstream 1.11's splitLabels does (handler/handler_test.go, TestSplitLabels and TestSplitLabelsUTF8,
 * whose paths these are); without the flag it is an ordinary legacy name.
 */
class KeyPathUtf8Test {
    @Test
    void anEncodedLabelNameIsDecodedWithUtf8Names() {
        // TestSplitLabelsUTF8 "regular label and UTF-8 escaped label name"
        GroupingKey key = keyOf(KeyPath.parse("j", false, "/label_name1/label_value1/U__label_2e_name2/label_value2",
                NameValidation.UTF8));
        assertThat(key).isEqualTo(GroupingKey.of(Map.of("job", "j", "label_name1", "label_value1",
                "label.name2", "label_value2")));
    }

    @Test
    void anEncodedLabelNameTakesABase64Value() {
        // TestSplitLabelsUTF8 "encoded slash in both label values and UTF-8 escaped label name"
        GroupingKey key = keyOf(KeyPath.parse("j", false,
                "/label_name1@base64/bGFiZWwvdmFsdWUx/U__label_2e_name2@base64/bGFiZWwvdmFsdWUy", NameValidation.UTF8));
        assertThat(key).isEqualTo(GroupingKey.of(Map.of("job", "j", "label_name1", "label/value1",
                "label.name2", "label/value2")));
    }

    @Test
    void withoutTheFlagTheEncodedNameIsALegacyName() {
        // TestSplitLabels "regular label and UTF-8 escaped label name with legacy validation"
        GroupingKey key = keyOf(KeyPath.parse("j", false, "/label_name1/label_value1/U__label_2e_name2/label_value2"));
        assertThat(key.get("U__label_2e_name2")).isEqualTo("label_value2");
        assertThat(key.get("label.name2")).isNull();
    }

    @Test
    void aMalformedEncodingStaysAsWrittenAndEmojiDecode() {
        assertThat(keyOf(KeyPath.parse("j", false, "/U__in_xxx_valid/v", NameValidation.UTF8)).get("U__in_xxx_valid"))
                .isEqualTo("v");
        assertThat(keyOf(KeyPath.parse("j", false, "/U__smile_1F60A_/v", NameValidation.UTF8)).get("smile😊"))
                .isEqualTo("v");
    }

    @Test
    void namesThatAreNotLegacyAreStillRefusedUnencodedOrReserved() {
        assertThat(refusalOf(KeyPath.parse("j", false, "/foo.bar/v"))).isEqualTo("improper label name \"foo.bar\"");
        // with UTF-8 names a path segment may hold any name, but not a reserved one, encoded or not
        assertThat(keyOf(KeyPath.parse("j", false, "/foo.bar/v", NameValidation.UTF8)).get("foo.bar")).isEqualTo("v");
        assertThat(refusalOf(KeyPath.parse("j", false, "/__x/v", NameValidation.UTF8)))
                .isEqualTo("improper label name \"__x\"");
        assertThat(refusalOf(KeyPath.parse("j", false, "/U______x/v", NameValidation.UTF8)))
                .isEqualTo("improper label name \"U______x\"");
    }
}
