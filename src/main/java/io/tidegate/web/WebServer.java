package io.tidegate.web;

import io.tidegate.telemetry.OwnMetrics;
import io.javalin.Javalin;
import io.javalin.util.JavalinBindException;
import io.javalin.compression.CompressionStrategy;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.tidegate.config.ConfigException;
import io.tidegate.format.HostPort;
import io.tidegate.config.ReloadOutcome;
import io.tidegate.ttl.TtlResolver;
import io.tidegate.mqtt.MqttRejection;
import io.tidegate.push.BodiesInFlight;
import io.tidegate.push.PushBody;
import io.tidegate.push.PushHandler;
import io.tidegate.store.GroupWriter;
import io.tidegate.store.Store;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.jetty.http.UriCompliance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side: every route Tidegate serves is listed in {@link #routes}, each a small handler.
 * Paths, status codes and texts follow the upstream Pushgateway.
 */
public final class WebServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebServer.class);

    private final Javalin app;
    private final WebSettings settings;
    private final Store store;
    private final GroupWriter writer;
    private final OwnMetrics metrics;
    private final Runnable quit;
    private final Supplier<ReloadOutcome> reload;
    private final TtlResolver ttls;
    private final String prefix;
    private final WebAccess access;
    private volatile boolean ready;

    /**
     * @param store what the read routes show
     * @param writer what pushes, deletes and the admin wipe are written through: the store, or, with
     *     {@code --mqtt.replicate}, the writer that replicates them through the MQTT broker
     * @param mqttRejections the last rejected MQTT message of each topic, newest first, to show
     */
    public WebServer(WebSettings settings, Store store, GroupWriter writer, TtlResolver ttls, OwnMetrics metrics,
            Supplier<ReloadOutcome> reload, Runnable quit, Instant startTime,
            Supplier<List<MqttRejection>> mqttRejections) throws ConfigException {
        this.settings = settings;
        this.access = WebAccess.load(settings.webConfigFile());
        this.store = store;
        this.writer = writer;
        this.ttls = ttls;
        this.metrics = metrics;
        this.reload = reload;
        this.quit = quit;
        this.prefix = routePrefix(settings.routePrefix(), settings.externalUrl());
        Map<String, String> build = io.tidegate.telemetry.Version.buildInformation();
        ApiV1 api = new ApiV1(store::snapshot, writer, settings.flagValues(), build, startTime, mqttRejections,
                store::writesRefused, settings.mqttEnabled());
        WebPage page = new WebPage();
        this.app = Javalin.create(config -> configure(config, api, page));
    }

    private void configure(JavalinConfig config, ApiV1 api, WebPage page) {
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        config.http.compressionStrategy = CompressionStrategy.NONE;
        config.router.ignoreTrailingSlashes = false;
        // upstream decodes the path itself (an encoded slash separates labels, bad UTF-8 is a 400 of its own),
        // so Jetty must pass every path through rather than judge it
        config.jetty.modifyHttpConfiguration(http -> http.setUriCompliance(UriCompliance.UNSAFE));
        config.jetty.modifyServletContextHandler(context -> context.getServletHandler().setDecodeAmbiguousURIs(true));
        config.jetty.modifyServer(server -> server.setErrorHandler(new PlainErrorHandler()));
        access.listen(config, settings.listenAddresses().stream().map(HostPort::parse).toList());
        UpstreamRouting routing = new UpstreamRouting(prefix);
        config.routes.before(access::guard); // first: upstream authenticates before it routes or redirects
        // every answer past the credentials, whatever its method (a HEAD too) or status, beside an operator's own
        config.routes.before(ctx -> ctx.res().addHeader("Content-Security-Policy", WebPage.CONTENT_SECURITY_POLICY));
        config.routes.before(this::refuseUntilReady);
        config.routes.before(routing::redirectUncleanPaths);
        routes(new RouteRegistry(config, routing), api, page);
        for (HandlerType method : new HandlerType[] {HandlerType.GET, HandlerType.HEAD, HandlerType.PUT,
                HandlerType.POST, HandlerType.DELETE, HandlerType.PATCH, HandlerType.OPTIONS}) {
            config.routes.addHttpHandler(method, "/*", routing::answerUnrouted);
        }
        config.routes.exception(Exception.class, (e, ctx) -> {
            log.atError().addKeyValue("method", ctx.method()).addKeyValue("path", ctx.path())
                    .addKeyValue("err", e.toString()).log("request failed");
            PlainAnswer.status(ctx, INTERNAL_ERROR, "internal error: " + e.getMessage());
        });
    }

    private void routes(RouteRegistry routes, ApiV1 api, WebPage page) {
        PushRoute push = new PushRoute(new PushHandler(writer, ttls, new PushBody(settings.maxBodySize(), store.bodyLimits(),
                BodiesInFlight.ofHeap(Runtime.getRuntime().maxMemory())),
                settings.checkConsistency(), prefix + "/metrics/"), metrics);
        for (HandlerType method : new HandlerType[] {HandlerType.PUT, HandlerType.POST, HandlerType.DELETE}) {
            routes.push(method, push::handle);
        }

        ScrapeHandler scrape = new ScrapeHandler(store::snapshot, metrics);
        routes.add(HandlerType.GET, joinPath(prefix, settings.telemetryPath()), scrape::handle);

        routes.add(HandlerType.GET, prefix + "/-/healthy", counted("healthy", ctx -> PlainAnswer.ok(ctx, "OK")));
        routes.add(HandlerType.GET, prefix + "/-/ready", counted("ready", this::readiness));
        // admin and lifecycle routes are limited to the users the web configuration file names, when it does
        Handler quitHandler = settings.enableLifecycle()
                ? access.limitedTo(Role.LIFECYCLE, ctx -> {
                    byte[] goodbye = "Requesting termination... Goodbye!".getBytes(StandardCharsets.UTF_8);
                    ctx.res().setContentLength(goodbye.length);
                    ctx.res().getOutputStream().write(goodbye);
                    ctx.res().flushBuffer(); // the whole answer leaves before the server stops
                    quit.run();
                })
                : ctx -> PlainAnswer.status(ctx, 403, "Lifecycle API is not enabled.");
        routes.add(HandlerType.PUT, prefix + "/-/quit", quitHandler);
        routes.add(HandlerType.POST, prefix + "/-/quit", quitHandler);
        Handler reloadHandler = settings.enableLifecycle()
                ? counted("reload", access.limitedTo(Role.LIFECYCLE, ctx -> {
                    ReloadOutcome outcome = reload.get();
                    if (outcome.succeeded()) {
                        PlainAnswer.ok(ctx, "");
                    } else {
                        PlainAnswer.status(ctx, 500, "failed to reload config: " + outcome.failure());
                    }
                }))
                : ctx -> PlainAnswer.status(ctx, 403, "Lifecycle API is not enabled.");
        routes.add(HandlerType.PUT, prefix + "/-/reload", reloadHandler);
        routes.add(HandlerType.POST, prefix + "/-/reload", reloadHandler);
        routes.add(HandlerType.GET, "/-/quit", ctx -> PlainAnswer.status(ctx, 405, "Only POST or PUT requests allowed."));

        String apiPath = prefix + "/api/v1";
        routes.add(HandlerType.OPTIONS, apiPath + "/*", counted("api/v1/options", api::options));
        routes.add(HandlerType.GET, apiPath + "/status", counted("api/v1/status", api::status));
        routes.add(HandlerType.GET, apiPath + "/metrics", counted("api/v1/metrics", api::metrics));
        routes.add(HandlerType.GET, apiPath + "/offline", counted("api/v1/offline", api::offline));
        if (settings.enableAdminApi()) {
            routes.add(HandlerType.PUT, apiPath + "/admin/wipe", counted("wipe", access.limitedTo(Role.ADMIN, api::wipe)));
        }

        routes.add(HandlerType.GET, prefix + "/", counted("status", page::page));
        routes.add(HandlerType.GET, prefix + "/status", counted("status", page::page));
        routes.files(HandlerType.GET, prefix + "/static/", counted("static", page::asset));
    }

    /** Registers each route with Javalin and with the upstream-style fallback that must know them. */
    private record RouteRegistry(JavalinConfig config, UpstreamRouting routing) {
        void add(HandlerType method, String path, Handler handler) {
            config.routes.addHttpHandler(method, path, handler);
            routing.exact(method, path);
        }

        void push(HandlerType method, Handler handler) {
            String base = routing.pushPrefix();
            config.routes.addHttpHandler(method, base + "job/*", handler);
            config.routes.addHttpHandler(method, base + "job@base64/*", handler);
            routing.push(method);
        }

        /** Files by name under {@code directory} (which ends with "/"), the name a path parameter "file". */
        void files(HandlerType method, String directory, Handler handler) {
            config.routes.addHttpHandler(method, directory + "{file}", handler);
            routing.underPrefix(method, directory);
        }
    }

    private Handler counted(String name, Handler handler) {
        return ctx -> {
            int status = INTERNAL_ERROR; // what the exception handler answers when the handler throws
            try {
                handler.handle(ctx);
                status = ctx.statusCode();
            } finally {
                metrics.countRequest(name, status, ctx.method().name());
            }
        };
    }

    /** The status of an answer whose handler threw (see the exception handler in {@link #configure}). */
    static final int INTERNAL_ERROR = 500;

    /**
     * Takes the port, before Tidegate does anything else that another instance could notice (connect
     * to the MQTT broker): a port in use stops it here. Until {@link #ready}, every request but
     * {@code /-/healthy} is answered 503.
     */
    public WebServer start() {
        String addresses = String.join(",", settings.listenAddresses());
        try {
            app.start(); // on the listeners WebAccess#listen installed, one per address
        } catch (JavalinBindException e) {
            throw new IllegalStateException(settings.listenAddresses().size() == 1
                    ? "web listen address " + addresses + " is in use (--web.listen-address)"
                    : "one of the web listen addresses " + addresses + " is in use (--web.listen-address): "
                            + bindFailure(e), e);
        }
        var line = log.atInfo().addKeyValue("address", addresses).addKeyValue("route_prefix", prefix);
        access.summary().forEach(line::addKeyValue);
        line.log("listening");
        return this;
    }

    /** Answers every request from now on: what it serves (the store, MQTT) has started. */
    public void ready() {
        ready = true;
    }

    /** Before {@link #ready}: 503 for all but the liveness check, as Prometheus components answer while starting. */
    private void refuseUntilReady(Context ctx) {
        if (!ready && !ctx.path().equals(prefix + "/-/healthy")) {
            PlainAnswer.status(ctx, 503, "Service Unavailable: Tidegate is starting");
            ctx.skipRemainingHandlers();
        }
    }

    /**
     * {@code /-/ready}: 200 while pushes are taken; 503 with the reason while the persistence journal
     * fails (a full disk) and every write is refused, so a load balancer sends pushes elsewhere. Scrapes
     * are still served meanwhile.
     */
    private void readiness(Context ctx) {
        String notDurable = store.notDurableReason();
        if (notDurable == null) {
            PlainAnswer.ok(ctx, "OK");
        } else {
            PlainAnswer.status(ctx, 503, "Service Unavailable: writes are refused, " + notDurable);
        }
    }

    /** What the listener that could not bind says of itself ({@code Failed to bind to /127.0.0.1:9091}). */
    private static String bindFailure(Throwable e) {
        String message = e.getMessage();
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && cause.getMessage().contains("bind")) {
                message = cause.getMessage();
            }
        }
        return message;
    }

    /** The port of the first {@code --web.listen-address}. */
    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }

    /**
     * As upstream: the prefix is {@code --web.route-prefix}, else the path of
     * {@code --web.external-url}; "/" means none; otherwise it starts, and does not end, with "/".
     */
    static String routePrefix(String routePrefix, String externalUrl) {
        String prefix = routePrefix;
        if (prefix.isEmpty() && !externalUrl.isEmpty()) {
            prefix = URI.create(externalUrl).getPath();
            if (prefix == null) {
                prefix = "";
            }
        }
        if (prefix.equals("/") || prefix.isEmpty()) {
            return "";
        }
        if (!prefix.startsWith("/")) {
            prefix = "/" + prefix;
        }
        while (prefix.endsWith("/")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        return prefix;
    }

    private static String joinPath(String prefix, String path) {
        String joined = (prefix + "/" + path).replaceAll("/+", "/");
        return joined.length() > 1 && joined.endsWith("/") ? joined.substring(0, joined.length() - 1) : joined;
    }
}
