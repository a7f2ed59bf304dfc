package io.tidegate.mqtt.access;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.ByteBuffer;

/** Reading the broker's files: UTF-8 text, or an AccessFileException saying why not. */
final class AccessFiles {
    private AccessFiles() {}

    static String read(Path file) throws AccessFileException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw AccessFileException.ofFile(file, "no such file");
        } catch (AccessDeniedException e) {
            throw AccessFileException.ofFile(file, "permission denied");
        } catch (IOException e) {
            throw AccessFileException.ofFile(file, "cannot be read: " + e.getMessage());
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw AccessFileException.ofFile(file, "not UTF-8 text");
        }
    }

    /** The lines of {@code text}, a CR before each line break dropped. */
    static String[] lines(String text) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].endsWith("\r")) {
                lines[i] = lines[i].substring(0, lines[i].length() - 1);
            }
        }
        return lines;
    }
}
