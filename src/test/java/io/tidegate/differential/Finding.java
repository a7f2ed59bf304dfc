package io.tidegate.differential;

/**
 * One difference found while replaying the scenario.
 *
 * @param step        1-based number of the request in the scenario
 * @param request     the request
 * @param aspect      what differs
 * @param detail      how it differs (may span lines)
 * @param upstream    upstream's answer to the request
 * @param candidate   the candidate's answer to the request
 * @param explainedBy the known-differences row that explains it, or {@code null} if unexpected
 */
public record Finding(int step, Request request, Aspect aspect, String detail, Answer upstream, Answer candidate,
                      KnownDifference explainedBy) {

    public boolean isExpected() {
        return explainedBy != null;
    }

    /** The request and both answers: said once for all findings of one request. */
    public String renderRequest(String upstreamName, String candidateName) {
        StringBuilder out = new StringBuilder();
        out.append('#').append(step).append(' ').append(request.line())
                .append("   [section: ").append(request.section()).append("]\n");
        if (!request.headers().isEmpty()) {
            out.append("    headers: ").append(request.headers()).append('\n');
        }
        out.append("    body: ").append(request.bodyExcerpt(300)).append('\n');
        out.append("    ").append(upstreamName).append(": ").append(upstream.summary(400)).append('\n');
        out.append("    ").append(candidateName).append(": ").append(candidate.summary(400)).append('\n');
        return out.toString();
    }

    /** What differs, and the known difference that explains it if any. */
    public String renderDifference() {
        StringBuilder out = new StringBuilder();
        out.append("    ").append(aspect).append(": ").append(detail.replace("\n", "\n    ")).append('\n');
        if (explainedBy != null) {
            out.append("    known difference: ").append(explainedBy.whatDiffers())
                    .append(" -- ").append(explainedBy.why()).append('\n');
        }
        return out.toString();
    }
}
