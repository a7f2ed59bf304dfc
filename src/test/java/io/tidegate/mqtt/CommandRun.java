package io.tidegate.mqtt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What a command run to its end said (standard output and error together) and how it exited. */
record CommandRun(int exitCode, String output) {
    /** Runs {@code command}; one that runs over 20 s is an IllegalStateException. */
    static CommandRun of(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("did not finish: " + command);
            }
            return new CommandRun(process.exitValue(),
                    new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** One of Mosquitto's command-line clients ({@code mosquitto_pub}, {@code mosquitto_sub}) against {@code host:port}. */
    static CommandRun mosquitto(String host, int port, String program, String... arguments) {
        List<String> command = new ArrayList<>(List.of(program, "-h", host, "-p", Integer.toString(port)));
        command.addAll(List.of(arguments));
        return of(command);
    }
}
