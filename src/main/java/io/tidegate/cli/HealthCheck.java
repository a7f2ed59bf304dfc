package io.tidegate.cli;

import io.tidegate.format.Durations;
import io.tidegate.telemetry.Version;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tidegate healthcheck}: asks a running Tidegate whether it is healthy ({@code GET /-/healthy}),
 * so a container image can check itself with the jar it already has, without curl or wget. Exit status 0
 * for a 200 answer, 1 otherwise with one line on standard error saying why.
 */
public final class HealthCheck implements Subcommand {
    @Command(
            name = "tidegate healthcheck",
            mixinStandardHelpOptions = true,
            versionProvider = Version.class,
            usageHelpAutoWidth = true,
            description = "Exit 0 when the Tidegate at --url answers 200 on /-/healthy, 1 otherwise.")
    static final class Options {
        @Option(names = "--url", defaultValue = "http://localhost:9091", paramLabel = "<url>",
                description = "Where Tidegate answers, with its route prefix if it has one, e.g. "
                        + "http://localhost:9091/gateway; user:password@ for basic auth (default: ${DEFAULT-VALUE}).")
        String url;

        @Option(names = "--timeout", defaultValue = "3s", paramLabel = "<duration>", converter = DurationConverter.class,
                description = "How long to wait for the connection and for the answer (default: ${DEFAULT-VALUE}).")
        Duration timeout;
    }

    @Override
    public String name() {
        return "healthcheck";
    }

    @Override
    public String synopsis() {
        return "healthcheck [<flags>]";
    }

    @Override
    public String summary() {
        return "Exit 0 when the Tidegate at --url answers on /-/healthy, 1 otherwise: a container's health "
                + "check without curl (tidegate help healthcheck).";
    }

    @Override
    public int run(List<String> arguments, PrintStream out, PrintStream err) {
        Options options = new Options();
        CommandLine commandLine = new CommandLine(options);
        URI endpoint;
        try {
            commandLine.parseArgs(arguments.toArray(String[]::new));
            endpoint = healthEndpoint(options.url);
            if (options.timeout.isZero()) {
                throw new IllegalArgumentException("--timeout must be longer than 0s");
            }
        } catch (CommandLine.ParameterException | IllegalArgumentException e) {
            err.println("tidegate healthcheck: error: " + e.getMessage() + ", try --help");
            return 2;
        }
        if (commandLine.isUsageHelpRequested()) {
            commandLine.usage(out);
            return 0;
        }
        if (commandLine.isVersionHelpRequested()) {
            commandLine.printVersionHelp(out);
            return 0;
        }
        String failure = failureOf(endpoint, options.timeout);
        if (failure == null) {
            return 0;
        }
        // the endpoint without user:password, which must not end up in a container's health log
        err.println("tidegate healthcheck: " + withoutUserInfo(endpoint) + ": " + failure);
        return 1;
    }

    /** {@code <url>/-/healthy}: the URL's path is Tidegate's route prefix. */
    static URI healthEndpoint(String url) {
        URI base;
        try {
            base = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid --url \"" + url + "\": " + e.getReason());
        }
        String scheme = base.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || base.getHost() == null) {
            throw new IllegalArgumentException("invalid --url \"" + url + "\": expected http://host:port or https://host:port");
        }
        String path = base.getRawPath() == null ? "" : base.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return URI.create(scheme + "://" + base.getRawAuthority() + path + "/-/healthy");
    }

    /** Why the check failed, or null when Tidegate answered 200. */
    private static String failureOf(URI endpoint, Duration timeout) {
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        HttpRequest.Builder request = HttpRequest.newBuilder(withoutUserInfo(endpoint)).timeout(timeout).GET();
        String userInfo = endpoint.getRawUserInfo();
        if (userInfo != null) {
            String credentials = URLDecoder.decode(userInfo, StandardCharsets.UTF_8);
            request.header("Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        try {
            int status = client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            return status == 200 ? null : "status " + status;
        } catch (HttpTimeoutException e) {
            return "no answer within " + Durations.format(timeout);
        } catch (ConnectException e) {
            if (e.getCause() instanceof UnresolvedAddressException) {
                return "unknown host " + endpoint.getHost();
            }
            return "connection refused";
        } catch (IOException e) {
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static URI withoutUserInfo(URI endpoint) {
        return endpoint.getRawUserInfo() == null ? endpoint
                : URI.create(endpoint.getScheme() + "://" + endpoint.getHost()
                        + (endpoint.getPort() < 0 ? "" : ":" + endpoint.getPort()) + endpoint.getRawPath());
    }
}
