package io.tidegate.push;

import io.tidegate.store.Verb;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** A PUT as the web server hands it to the push adapter: a path, a Content-Type (or null) and a body. */
record TestPushRequest(String rawPath, String contentType, byte[] bytes) implements PushRequest {
    static TestPushRequest put(String rawPath, String contentType, byte[] bytes) {
        return new TestPushRequest(rawPath, contentType, bytes);
    }

    static TestPushRequest put(String rawPath, String text) {
        return new TestPushRequest(rawPath, null, text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Verb verb() {
        return Verb.PUT;
    }

    @Override
    public String contentEncoding() {
        return null;
    }

    @Override
    public String ttlHeader() {
        return null;
    }

    @Override
    public String ttlQuery() {
        return null;
    }

    @Override
    public InputStream body() {
        return new ByteArrayInputStream(bytes);
    }

    @Override
    public String clientAddress() {
        return "10.0.0.7";
    }
}
