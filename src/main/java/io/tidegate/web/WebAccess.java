package io.tidegate.web;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.tidegate.config.ConfigException;
import io.tidegate.format.GoQuote;
import io.tidegate.format.HostPort;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code --web.config.file} asks of the HTTP side, applied to the whole server as upstream
 * does: TLS on the listener, the extra response headers on every answer, and basic auth before
 * every route, 404s and redirects included (401 with {@code WWW-Authenticate: Basic} otherwise).
 * Tidegate's one addition: the routes of a {@link Role} the file limits answer 403 to every other
 * user.
 */
final class WebAccess {
    private static final Logger log = LoggerFactory.getLogger(WebAccess.class);
    /** The request attribute that holds the user who passed basic auth. */
    private static final String USER = "tidegate.user";

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

    /**
     * Installs a listener on each address, in their order (the first one's port is the server's
     * {@code port()}): HTTPS if TLS is configured, plain HTTP otherwise, as Javalin's own listener is.
     * Upstream serves the same routes on every {@code --web.listen-address} too.
     */
    void listen(JavalinConfig javalin, List<HostPort> addresses) {
        for (HostPort address : addresses) {
            javalin.jetty.addConnector((server, http) -> {
                if (tls != null) {
                    return tls.connector(server, http, address.host(), address.port());
                }
                ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
                connector.setHost(address.host());
                connector.setPort(address.port());
                return connector;
            });
        }
    }

    /** The first before-handler: headers on every answer, then the credentials. */
    void guard(Context ctx) {
        config.headers().forEach(ctx::header);
        if (auth == null) {
            return;
        }
        Optional<String> user = auth.authenticate(ctx.header("Authorization"));
        if (user.isEmpty()) {
            ctx.header("WWW-Authenticate", "Basic");
            PlainAnswer.status(ctx, 401, "Unauthorized");
            ctx.skipRemainingHandlers();
            return;
        }
        ctx.attribute(USER, user.get());
    }

    /**
     * {@code handler} for the users the file limits {@code role} to, 403 Forbidden for every other
     * user; {@code handler} itself when the file does not limit the role.
     */
    Handler limitedTo(Role role, Handler handler) {
        if (!config.roles().containsKey(role)) {
            return handler;
        }
        return ctx -> {
            String user = ctx.attribute(USER); // never null: a limited role needs basic_auth_users, checked by guard
            if (user != null && config.permits(role, user)) {
                handler.handle(ctx);
                return;
            }
            log.atInfo().addKeyValue("user", user).addKeyValue("role", role.key).addKeyValue("method", ctx.method())
                    .addKeyValue("path", ctx.path()).log("forbidden: user lacks the role");
            PlainAnswer.status(ctx, 403, "Forbidden: " + role.grants + " is limited to the users in tidegate."
                    + role.key + " of the web configuration file, and " + GoQuote.string(String.valueOf(user))
                    + " is not one of them");
        };
    }

    /** For the startup log line. */
    Map<String, Object> summary() {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("tls", tls != null);
        summary.put("basic_auth_users", config.users().size());
        config.roles().forEach((role, users) -> summary.put(role.key, String.join(",", users.stream().sorted().toList())));
        return summary;
    }
}
