package io.tidegate.fuzz;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Scales the tries of every property of a fuzz class by {@code -Dtidegate.fuzz.scale=N}, so the
 * short run of the normal build and a long run differ by one flag. Each property keeps its own
 * budget in {@code @Property(tries = ...)}, tuned to what one try costs; jqwik's own
 * {@code jqwik.tries.default} would not do, as it only reaches properties that name no tries and
 * gives them all the same count.
 *
 * <p>The short run uses a fixed seed, so the normal build tests the same inputs every time and a
 * build fails only for a change, never by the luck of the draw; a long run ({@code -Dtidegate.fuzz.scale})
 * draws new inputs each time, which is where new findings come from.
 */
public final class FuzzBudget implements AroundPropertyHook {
    public static final String SCALE_PROPERTY = "tidegate.fuzz.scale";
    private static final String SHORT_RUN_SEED = "20261125";

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        double scale = scale();
        if (System.getProperty(SCALE_PROPERTY) == null && context.attributes().seed().isEmpty()) {
            context.attributes().setSeed(SHORT_RUN_SEED);
        }
        context.attributes().tries().ifPresent(tries ->
                context.attributes().setTries((int) Math.min(Integer.MAX_VALUE, Math.max(1, Math.round(tries * scale)))));
        return property.execute();
    }

    /** Registered on a class, the hook must still reach each of its properties. */
    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    static double scale() {
        String value = System.getProperty(SCALE_PROPERTY);
        if (value == null || value.isBlank()) {
            return 1;
        }
        double scale = Double.parseDouble(value.strip());
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException(SCALE_PROPERTY + " must be a positive number, not " + value);
        }
        return scale;
    }
}
