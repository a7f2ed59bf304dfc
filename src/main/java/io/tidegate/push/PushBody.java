package io.tidegate.push;

import io.tidegate.format.BodyFormatException;
import io.tidegate.format.BodyLimits;
import io.tidegate.format.NameValidation;
import io.tidegate.format.GoQuote;
import io.tidegate.format.MediaType;
import io.tidegate.format.ParsedBody;
import io.tidegate.format.ProtobufBodyReader;
import io.tidegate.format.TextFormatParser;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.xerial.snappy.SnappyFramedInputStream;

/**
 * Turns a push request body into families: undoes its Content-Encoding (gzip, or snappy's framed
 * format, as upstream reads it), picks the format from its Content-Type exactly as upstream does
 * (delimited protobuf only for the full media type with both parameters, text otherwise), and
 * bounds the body before and after decompression. Each parser stops at the first series past the
 * {@link BodyLimits} it is given.
 */
public final class PushBody {
    private final long maxBytes;
    private final TextFormatParser textParser;
    private final ProtobufBodyReader protobufReader;
    private final BodiesInFlight inFlight;
    private final NameValidation names;

    /** Bodies of at most {@code maxBytes}, read while {@code inFlight} has room for them. */
    public PushBody(long maxBytes, BodyLimits limits, BodiesInFlight inFlight) {
        this.maxBytes = maxBytes;
        this.names = limits.names();
        this.textParser = new TextFormatParser(limits);
        this.protobufReader = new ProtobufBodyReader(limits);
        this.inFlight = inFlight;
    }

    /** Bodies of at most {@code maxBytes}, however many are read at once. */
    public PushBody(long maxBytes, BodyLimits limits) {
        this(maxBytes, limits, BodiesInFlight.UNBOUNDED);
    }

    /** Which names a push may use, in its body and in its path. */
    public NameValidation names() {
        return names;
    }

    /** A body larger than the limit, as sent or once decompressed, or than this heap can read: answered 413. */
    public static final class TooLargeException extends IOException {
        TooLargeException(String what, long limit) {
            this(what + " exceeds the limit of " + limit + " bytes (--push.max-body-size)");
        }

        TooLargeException(String message) {
            super(message, null);
        }
    }

    /** Other pushes being read take what this one would need ({@link BodiesInFlight}): answered 429. */
    public static final class BusyException extends IOException {
        BusyException(String message) {
            super(message, null);
        }
    }

    /** A Content-Encoding Tidegate cannot undo: answered 415, as reading it as plain would store garbage. */
    public static final class UnsupportedEncodingException extends IOException {
        UnsupportedEncodingException(String encoding) {
            super("unsupported Content-Encoding " + GoQuote.string(encoding) + ": send the body plain, gzip or snappy",
                    null);
        }
    }

    /**
     * The families of a body, read as {@code contentType} once its {@code contentEncoding} is undone, neither
     * the body as sent nor decompressed longer than the limit.
     *
     * @throws TooLargeException the body is longer than the limit, as sent or decompressed
     * @throws UnsupportedEncodingException the Content-Encoding is none of gzip, snappy, identity
     * @throws BodyFormatException the body does not decompress or parse
     */
    public ParsedBody read(String contentType, String contentEncoding, InputStream raw)
            throws BodyFormatException, IOException {
        InputStream sent = new Bounded(raw, maxBytes, "request body", null);
        try (BodiesInFlight.Lease lease = inFlight.lease()) {
            InputStream decoded = decode(contentEncoding, sent);
            InputStream body = decoded == sent ? new Bounded(sent, Long.MAX_VALUE, "request body", lease)
                    : new Bounded(decoded, maxBytes, "decompressed request body", lease);
            return read(contentType, body);
        } catch (TooLargeException | BusyException e) {
            drain(sent);
            throw e;
        }
    }

    /**
     * Reads the rest of a refused body and drops it, no more held than a buffer, so that the client, still
     * sending, hears the answer instead of a closed connection; a body past the limit is not read on.
     */
    private static void drain(InputStream sent) {
        try {
            sent.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // past the limit, or the client went away: the connection closes, as it would have
        }
    }

    private ParsedBody read(String contentType, InputStream body) throws BodyFormatException, IOException {
        try {
            return isDelimitedProtobuf(contentType)
                    ? protobufReader.read(body, maxBytes)
                    : textParser.parse(body, maxBytes);
        } catch (TooLargeException | BusyException e) {
            throw e;
        } catch (ZipException e) {
            throw new BodyFormatException("gzip: " + e.getMessage());
        } catch (EOFException e) {
            throw new BodyFormatException("unexpected EOF");
        }
    }

    private InputStream decode(String contentEncoding, InputStream body) throws BodyFormatException, IOException {
        String encoding = contentEncoding == null ? "" : contentEncoding.trim().toLowerCase(Locale.ROOT);
        switch (encoding) {
            case "", "identity":
                return body;
            case "gzip": {
                PushbackInputStream peek = new PushbackInputStream(body, 1);
                int first = peek.read();
                if (first < 0) {
                    throw new BodyFormatException("EOF");
                }
                peek.unread(first);
                try {
                    return new GZIPInputStream(peek);
                } catch (ZipException e) {
                    throw new BodyFormatException("gzip: invalid header");
                } catch (EOFException e) {
                    throw new BodyFormatException("unexpected EOF");
                }
            }
            case "snappy":
                return new SnappyFramedInputStream(body);
            default:
                throw new UnsupportedEncodingException(contentEncoding.trim());
        }
    }

    /**
     * Upstream's check: the type and both parameters, exactly. As upstream reads the Content-Type with
     * Go's mime.ParseMediaType, a parameter without a name or a value makes it text, unless it is an
     * empty one at the end (a trailing semicolon; Go allows one, this has always allowed several).
     */
    static boolean isDelimitedProtobuf(String contentType) {
        if (contentType == null) {
            return false;
        }
        MediaType type = MediaType.parse(contentType);
        return type.is("application", "vnd.google.protobuf") && hasOnlyNamedValues(type.parameters())
                && isValue(type.parameter("proto"), "io.prometheus.client.MetricFamily")
                && isValue(type.parameter("encoding"), "delimited");
    }

    private static boolean hasOnlyNamedValues(List<MediaType.Parameter> parameters) {
        for (int i = 0; i < parameters.size(); i++) {
            MediaType.Parameter parameter = parameters.get(i);
            boolean trailingSemicolon = i == parameters.size() - 1 && parameter.isEmpty();
            if ((parameter.name().isEmpty() || parameter.written() == null) && !trailingSemicolon) {
                return false;
            }
        }
        return true;
    }

    private static boolean isValue(MediaType.Parameter parameter, String value) {
        return parameter != null && value.equals(parameter.value());
    }

    /**
     * Stops reading past the limit, so a huge body (or a small one that decompresses to a huge one) costs
     * no more than the limit.
     */
    private static final class Bounded extends FilterInputStream {
        private final long limit;
        private final String what;
        private final BodiesInFlight.Lease lease; // null: these bytes are not held (compressed ones)
        private long consumed;

        Bounded(InputStream in, long limit, String what, BodiesInFlight.Lease lease) {
            super(in);
            this.limit = limit;
            this.what = what;
            this.lease = lease;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        private void counted(int n) throws TooLargeException, BusyException {
            if ((consumed += n) > limit) {
                throw new TooLargeException(what, limit);
            }
            if (lease != null) {
                lease.take(n);
            }
        }
    }
}
