package io.tidegate.differential;

import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One deliberate, explained difference between upstream and Tidegate: a row of the table in
 * {@code DifferentialIT}. A difference that no row explains fails the test.
 *
 * @param request           regular expression found in {@link Request#signature()}: {@code METHOD path}, and
 *                          the headers as {@code {Name=value}} after a space if the request has any
 * @param bodyContains      text the request body must contain, or {@code ""} for any body
 * @param aspects           the aspects this row explains
 * @param whatDiffers       what a reader of the report sees differ
 * @param why               the reason it is deliberate (a SPEC section, an upstream change, ...)
 * @param stateDiverges     whether the stored state stays different afterwards, until the next wipe, so that the
 *                          row also explains every difference of the requests that follow until then; the
 *                          scenario places such requests last in their section
 */
public record KnownDifference(Pattern request, String bodyContains, Set<Aspect> aspects, String whatDiffers,
                              String why, boolean stateDiverges) {

    public static KnownDifference known(String requestRegex, String bodyContains, String whatDiffers, String why,
                                        Aspect first, Aspect... more) {
        return new KnownDifference(Pattern.compile(requestRegex), bodyContains, EnumSet.of(first, more),
                whatDiffers, why, false);
    }

    /** The same row, also explaining every state difference that follows until the next wipe. */
    public KnownDifference leavingStateDifferentUntilNextWipe() {
        return new KnownDifference(request, bodyContains, aspects, whatDiffers, why, true);
    }

    public boolean explains(Request r, Aspect aspect) {
        boolean stateAspect = aspect == Aspect.STATE_SCRAPE || aspect == Aspect.STATE_API_METRICS;
        return (aspects.contains(aspect) || (stateDiverges && stateAspect)) && matches(r);
    }

    public boolean matches(Request r) {
        if (!request.matcher(r.signature()).find()) {
            return false;
        }
        return bodyContains.isEmpty()
                || (r.body() != null && new String(r.body(), java.nio.charset.StandardCharsets.UTF_8)
                        .contains(bodyContains));
    }

    @Override
    public String toString() {
        return "/" + request + "/" + (bodyContains.isEmpty() ? "" : " with \"" + bodyContains + "\"")
                + " " + aspects + ": " + whatDiffers + " (why: " + why + ")";
    }
}
