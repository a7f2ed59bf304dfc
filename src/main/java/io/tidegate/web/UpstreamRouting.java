package io.tidegate.web;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.tidegate.key.KeyPath;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What upstream's Go router does around its routes, so clients see the same answers: paths that
 * are not clean ({@code //}, {@code .}, {@code ..}) are redirected to their clean form first; a
 * path no route takes is answered 405 with an Allow header when another method would take it,
 * redirected when only a trailing slash (one too many, or one missing) or the letter case is off,
 * and 404 otherwise.
 */
final class UpstreamRouting {
    private final List<Route> routes = new ArrayList<>();
    private final String pushPrefix;

    /** One route: a method and either an exact path or, for pushes, a path prefix. */
    private record Route(HandlerType method, String path, boolean prefix) {}

    /** @param routePrefix the route prefix ("" for none) */
    UpstreamRouting(String routePrefix) {
        this.pushPrefix = routePrefix + "/metrics/";
    }

    String pushPrefix() {
        return pushPrefix;
    }

    void exact(HandlerType method, String path) {
        routes.add(new Route(method, path, false));
    }

    /** The push routes: {@code <prefix>/metrics/job/<job>...} and {@code .../job@base64/<job>...}. */
    void push(HandlerType method) {
        underPrefix(method, pushPrefix + "job/");
        underPrefix(method, pushPrefix + "job" + KeyPath.BASE64_SUFFIX + "/");
    }

    /** A route that takes every path starting with {@code pathPrefix} (ending with "/") and a non-empty segment. */
    void underPrefix(HandlerType method, String pathPrefix) {
        routes.add(new Route(method, pathPrefix, true));
    }

    /** Before routing: answers a path that is not clean with a redirect to its clean form. */
    void redirectUncleanPaths(Context ctx) {
        String path = KeyPath.percentDecode(ctx.req().getRequestURI());
        if (path == null || ctx.method() == HandlerType.CONNECT) {
            return;
        }
        String clean = cleanPath(path);
        if (!clean.equals(path)) {
            redirect(ctx, 301, clean);
            ctx.skipRemainingHandlers();
        }
    }

    /** For a request no route took. */
    void answerUnrouted(Context ctx) {
        String path = KeyPath.percentDecode(ctx.req().getRequestURI());
        if (path == null) {
            PlainAnswer.notFound(ctx);
            return;
        }
        Set<String> allowed = allowedMethods(path, ctx.method());
        if (!allowed.isEmpty()) {
            allowed.add("OPTIONS");
            ctx.header("Allow", String.join(", ", allowed));
            PlainAnswer.status(ctx, 405, "Method Not Allowed");
            return;
        }
        int redirectCode = ctx.method() == HandlerType.GET ? 301 : 307;
        if (path.length() > 1 && path.endsWith("/") && takes(ctx.method(), path.substring(0, path.length() - 1))) {
            redirect(ctx, redirectCode, path.substring(0, path.length() - 1));
            return;
        }
        if (!path.endsWith("/") && takes(ctx.method(), path + "/")) { // "/gw" for the page at "/gw/"
            redirect(ctx, redirectCode, path + "/");
            return;
        }
        String fixedCase = fixedCase(ctx.method(), path);
        if (fixedCase != null) {
            redirect(ctx, redirectCode, fixedCase);
            return;
        }
        PlainAnswer.notFound(ctx);
    }

    private Set<String> allowedMethods(String path, HandlerType requested) {
        Set<String> allowed = new TreeSet<>();
        for (Route route : routes) {
            if (route.method() != requested && route.method() != HandlerType.OPTIONS && matches(route, path)) {
                allowed.add(route.method().name());
            }
        }
        return allowed;
    }

    private boolean takes(HandlerType method, String path) {
        for (Route route : routes) {
            if (route.method() == method && matches(route, path)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(Route route, String path) {
        if (!route.prefix()) {
            return route.path().equals(path);
        }
        // a push path needs a non-empty job segment after the prefix, a file path a name
        return path.startsWith(route.path()) && path.length() > route.path().length()
                && path.charAt(route.path().length()) != '/';
    }

    /** The path with the letter case of a route's fixed part, when only that differs. */
    private String fixedCase(HandlerType method, String path) {
        for (Route route : routes) {
            if (route.method() != method) {
                continue;
            }
            String fixed = route.path();
            if (!route.prefix() && fixed.equalsIgnoreCase(path)) {
                return fixed;
            }
            if (route.prefix() && path.length() > fixed.length()
                    && path.substring(0, fixed.length()).equalsIgnoreCase(fixed)) {
                return fixed + path.substring(fixed.length());
            }
        }
        return null;
    }

    private static void redirect(Context ctx, int code, String path) {
        String location = path;
        try {
            location = new URI(null, null, path, ctx.req().getQueryString(), null).toASCIIString();
        } catch (URISyntaxException e) {
            // keep the plain path: it is only a redirect target
        }
        ctx.status(code);
        ctx.header("Location", location);
    }

    /** Go's path cleaning as its HTTP server applies it: no empty, "." or ".." segments; a trailing slash kept. */
    static String cleanPath(String path) {
        if (path.isEmpty()) {
            return "/";
        }
        Deque<String> segments = new ArrayDeque<>();
        for (String segment : path.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                segments.pollLast();
            } else {
                segments.addLast(segment);
            }
        }
        String clean = "/" + String.join("/", segments);
        if (path.endsWith("/") && !clean.equals("/")) {
            clean += "/";
        }
        return clean;
    }
}
