package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.tidegate.format.MetricFamily;
import io.tidegate.fuzz.FuzzBudget;
import io.tidegate.fuzz.JsonTexts;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * The plain-path reader may only make a payload cheaper to read: whatever it takes, it reads as Gson does, and a
 * payload read both ways gives the same gauges or the same refusal.
 */
@AddLifecycleHook(FuzzBudget.class)
class PlainJsonTest {

    @Example
    void aZigbee2mqttPayloadIsTakenOnThePlainPathAsGsonReadsIt() {
        String json = "{\"battery\":100,\"humidity\":52.31,\"linkquality\":-0,\"temperature\":2.15e1,"
                + "\"update\":{\"state\":\"idle\",\"installed\":null},\"occupancy\":false,\"list\":[1, true, \"é\"]}";
        JsonElement plain = PlainJson.read(json.getBytes(StandardCharsets.UTF_8));
        assertThat(plain).as("taken on the plain path").isNotNull();
        assertThat(plain.toString()).isEqualTo(gson(json).toString());
        assertThat(plain.getAsJsonObject().get("temperature").getAsDouble()).isEqualTo(21.5);
        assertThat(plain.getAsJsonObject().get("linkquality").getAsString()).isEqualTo("-0");
    }

    @Example
    void whatIsOffThePlainPathIsLeftToGson() {
        for (String json : new String[] {"{\"a\\n\":1}", "{\"a\":1,\"a\":2}", "{\"a\":01}", "{\"a\":1}x", "{a:1}", "",
                "{\"a\": NaN}", "{\"a\":1,}", "[1 2]", "\ufeff{\"a\":1}", "{\"a\":.5}", "{\"a\":1.}", "{\"a\":tru}",
                "{\"a\":\"\t\"}", "[".repeat(PlainJson.MAX_DEPTH + 1) + "]".repeat(PlainJson.MAX_DEPTH + 1)}) {
            assertThat(PlainJson.read(json.getBytes(StandardCharsets.UTF_8))).as(json).isNull();
        }
    }

    @Property(tries = 3000)
    void generatedObjectsReadAsGsonReadsThem(@ForAll("objects") String json) {
        sameAsGson(json.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 3000)
    void mutatedObjectsReadAsGsonReadsThemOrAreLeftToIt(@ForAll("mutatedObjects") byte[] json) {
        sameAsGson(json);
    }

    private static void sameAsGson(byte[] bytes) {
        String json = new String(bytes, StandardCharsets.UTF_8);
        JsonElement plain = PlainJson.read(bytes);
        if (plain != null) {
            assertThat(plain.toString()).as(json).isEqualTo(gson(json).toString());
        }
        Object fromBytes = familiesOrRefusal(() -> JsonPayload.families(bytes));
        Object fromText = familiesOrRefusal(() -> JsonPayload.families(json));
        assertThat(fromBytes).as(json).isEqualTo(fromText);
    }

    private interface Read {
        Map<String, MetricFamily> families() throws Exception;
    }

    private static Object familiesOrRefusal(Read read) {
        Throwable refused = catchThrowable(() -> read.families());
        if (refused != null) {
            return refused.getClass().getSimpleName() + ": " + refused.getMessage();
        }
        try {
            return read.families().toString();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Gson's strict reading, as the payload readers did before the plain path. */
    private static JsonElement gson(String json) {
        try (JsonReader reader = new JsonReader(new StringReader(json))) {
            reader.setStrictness(Strictness.STRICT);
            JsonElement root = JsonParser.parseReader(reader);
            assertThat(reader.peek()).isEqualTo(JsonToken.END_DOCUMENT);
            return root;
        } catch (Exception e) {
            throw new AssertionError("the plain path took what Gson refuses: " + json, e);
        }
    }

    @Provide
    Arbitrary<String> objects() {
        return JsonTexts.objects();
    }

    @Provide
    Arbitrary<byte[]> mutatedObjects() {
        return JsonTexts.mutatedObjects();
    }
}
