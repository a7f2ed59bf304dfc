package io.tidegate.web;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.tidegate.config.ConfigException;
import io.tidegate.format.HostPort;
import java.nio.file.Path;
import java.util.Map;

/**
 * What {@code --web.config.file} asks of the HTTP side, applied to the whole server as upstream
 * does: TLS on the listener, the extra response headers on every answer, and basic auth before
 * every route, 404s and redirects included (401 with {@code WWW-Authenticate: Basic} otherwise).
 */
final class WebAccess {
    private final WebConfig config;
    private final TlsConnector tls; // null for plain HTTP
    private final BasicAuth auth; // null when no user is configured

    private WebAccess(WebConfig config) throws ConfigException {
        this.config = config;
        this.tls = config.tls().isEmpty() ? null : new TlsConnector(config.tls().get());
        this.auth = config.users().isEmpty() ? null : new BasicAuth(config.users());
    }

    /** From {@code --web.config.file}; an empty name is plain HTTP without authentication. */
    static WebAccess load(String webConfigFile) throws ConfigException {
        return new WebAccess(webConfigFile.isEmpty() ? WebConfig.NONE : WebConfig.load(Path.of(webConfigFile)));
    }

    /** Installs the HTTPS listener on {@code address}, if TLS is configured; Javalin's own HTTP one otherwise. */
    void listen(JavalinConfig javalin, HostPort address) {
        if (tls != null) {
            javalin.jetty.addConnector((server, http) -> tls.connector(server, http, address.host(), address.port()));
        }
    }

    /** The first before-handler: headers on every answer, then the credentials. */
    void guard(Context ctx) {
        config.headers().forEach(ctx::header);
        if (auth != null && !auth.allows(ctx.header("Authorization"))) {
            ctx.header("WWW-Authenticate", "Basic");
            PlainAnswer.status(ctx, 401, "Unauthorized");
            ctx.skipRemainingHandlers();
        }
    }

    /** For the startup log line. */
    Map<String, Object> summary() {
        return Map.of("tls", tls != null, "basic_auth_users", config.users().size());
    }
}
