package io.tidegate.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.format.NameEscaping;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the page writes UTF-8 label names (grouping.js, run by Node where it is installed, as the page and its
 * worker run it): quoted where not legacy-valid, as upstream's page shows them, and in the U__ value encoding
 * in a Delete's push path, which the push API decodes back to the same name.
 */
class PageNamesTest {
    @TempDir
    Path dir;

    private List<String> run(String script) throws IOException, InterruptedException {
        Path file = dir.resolve("test.js");
        try (InputStream grouping = PageNamesTest.class.getResourceAsStream("/io/tidegate/web/page/grouping.js")) {
            Files.writeString(file, new String(grouping.readAllBytes(), StandardCharsets.UTF_8) + "\n" + script);
        }
        // Debian's nodejs, which ./test.sh installs
        Process node = new ProcessBuilder("node", file.toString()).redirectErrorStream(true).start();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(node.exitValue()).as(out).isZero();
        return out.lines().toList();
    }

    @Test
    void utf8LabelNamesAreShownQuotedAsUpstreamsPage() throws Exception {
        List<String> lines = run("""
                console.log(keyTextOf({job: 'x', 'dotted.label': 'v', zone: 'eu'}, sortedLabelNames({job: 'x', 'dotted.label': 'v', zone: 'eu'})));
                console.log(formatLabelName('a"b'));
                """);
        assertThat(lines).containsExactly("{job=\"x\", \"dotted.label\"=\"v\", zone=\"eu\"}", "\"a\\\"b\"");
    }

    @Test
    void aDeletePathCarriesUtf8LabelNamesEncodedAsThePushApiDecodesThem() throws Exception {
        String[] names = {"zone", "dotted.label.name", "label with 😱", "花火", "a/b%c_d", "1st"};
        StringBuilder script = new StringBuilder();
        for (String name : names) {
            script.append("console.log(pathLabelName(").append(jsString(name)).append("));\n");
        }
        List<String> lines = run(script.toString());
        assertThat(lines).hasSize(names.length);
        assertThat(lines.get(0)).isEqualTo("zone");
        assertThat(lines.get(1)).isEqualTo(NameEscaping.VALUES.escape("dotted.label.name"));
        assertThat(lines.get(2)).isEqualTo("U__label_20_with_20__1f631_"); // model/metric_test.go TestEscapeName
        for (int i = 0; i < names.length; i++) {
            assertThat(lines.get(i)).doesNotContain("/", "%");
            assertThat(NameEscaping.unescapeValues(lines.get(i))).isEqualTo(names[i]);
        }
    }

    private static String jsString(String text) {
        StringBuilder out = new StringBuilder("'");
        text.codePoints().forEach(c -> out.append(c == '\'' || c == '\\' ? "\\" + (char) c : Character.toString(c)));
        return out.append('\'').toString();
    }
}
