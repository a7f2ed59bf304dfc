package io.tidegate.config;

/**
 * What became of a reload of the configuration file: applied, or refused with the message that says
 * why (the previous configuration stays in force). {@code /-/reload} answers a refusal with 500 and
 * this message, as Prometheus does.
 */
public record ReloadOutcome(String failure) {
    private static final ReloadOutcome RELOADED = new ReloadOutcome(null);

    public static ReloadOutcome reloaded() {
        return RELOADED;
    }

    public static ReloadOutcome failed(String message) {
        return new ReloadOutcome(message);
    }

    /** Both reloads together: failed when either failed, saying why for each that did. */
    public ReloadOutcome and(ReloadOutcome other) {
        if (succeeded()) {
            return other;
        }
        return other.succeeded() ? this : failed(failure + "; " + other.failure);
    }

    public boolean succeeded() {
        return failure == null;
    }
}
