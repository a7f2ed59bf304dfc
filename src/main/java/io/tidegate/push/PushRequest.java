package io.tidegate.push;

import io.tidegate.store.Verb;
import java.io.InputStream;

/**
 * An HTTP request to a push route, as much of it as the push adapter reads: the web server hands
 * each PUT, POST and DELETE on {@code /metrics/job/...} to the {@link PushHandler} as one of these,
 * so the adapter knows no web framework. Nothing is read before the adapter asks for it (the query
 * string, say, is only decoded when there is no {@value PushHandler#TTL_HEADER} header).
 */
public interface PushRequest {
    /** PUT, POST or DELETE. */
    Verb verb();

    /** The request URI's path, still percent-encoded as the client sent it. */
    String rawPath();

    /** The Content-Type header, or null. */
    String contentType();

    /** The Content-Encoding header, or null. */
    String contentEncoding();

    /** The {@value PushHandler#TTL_HEADER} header, or null. */
    String ttlHeader();

    /** The {@code ttl} query parameter, decoded, or null. */
    String ttlQuery();

    /** The request body; read only for a PUT or POST whose path and TTL are valid. */
    InputStream body();

    /** The pushing client's address. */
    String clientAddress();
}
