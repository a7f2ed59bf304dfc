package io.tidegate.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

/** The digests a persistence file keeps from earlier versions must still match the messages they stand for. */
class DigestTest {
    @Test
    void isTheFirst128BitsOfTheSha256OfEachFieldAfterItsLength() throws Exception {
        byte[] payload = "{\"temperature\":21.5}".getBytes(StandardCharsets.UTF_8);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(ByteBuffer.allocate(4).putInt(payload.length).array());
        sha.update(payload);
        sha.update(ByteBuffer.allocate(4).putInt(16).array());
        sha.update("application/json".getBytes(StandardCharsets.UTF_8));
        sha.update(ByteBuffer.allocate(4).putInt(-1).array());
        ByteBuffer expected = ByteBuffer.wrap(sha.digest());

        Digest digest = Digest.of(payload, "application/json", null);

        assertThat(digest).isEqualTo(new Digest(expected.getLong(), expected.getLong()));
    }

    @Test
    void aFieldAbsentDiffersFromAFieldEmptyAndOneThreadsDigestsDoNotLeakIntoTheNext() {
        byte[] payload = "1".getBytes(StandardCharsets.UTF_8);

        Digest absent = Digest.of(payload, null, null);
        Digest empty = Digest.of(payload, "", null);

        assertThat(absent).isNotEqualTo(empty);
        assertThat(Digest.of(payload, null, null)).isEqualTo(absent);
    }
}
