package io.tidegate.format;

/**
 * A listen address as the upstream flags write it: {@code :9091} (all interfaces), {@code 127.0.0.1:0}
 * (0 picks a free port), {@code [::1]:9091}.
 */
public record HostPort(String host, int port) {
    /** Reads {@code address}; an IllegalArgumentException says what is wrong with it. */
    public static HostPort parse(String address) {
        int colon = address.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("invalid listen address \"" + address + "\": expected host:port");
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid listen address \"" + address + "\": bad port");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("invalid listen address \"" + address + "\": bad port");
        }
        return new HostPort(host.isEmpty() ? "0.0.0.0" : host, port);
    }
}
