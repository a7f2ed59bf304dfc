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
 */
public final class FuzzBudget implements AroundPropertyHook {
    public static final String SCALE_PROPERTY = "tidegate.fuzz.scale";

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        double scale = scale();
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
