package io.tidegate.differential;

/** What of an answer, or of the state after a request, two gateways disagree on. */
public enum Aspect {
    /** no answer at all from one side (connection error, timeout) */
    NO_ANSWER,
    /** the HTTP status code */
    STATUS,
    /** an error text up to its first ':' (e.g. {@code text format parsing error in line 3}) */
    ERROR_MESSAGE,
    /** an error text beyond its first ':' (the detail after an agreeing prefix) */
    ERROR_DETAIL,
    /** the body of a successful answer that is neither a scrape nor JSON */
    BODY,
    /** the {@code Location} of a redirect */
    LOCATION,
    /** the {@code Content-Type} of an answer with a body */
    CONTENT_TYPE,
    /** the CORS headers of an {@code /api/v1} answer */
    CORS_HEADERS,
    /** an explicitly requested {@code GET /metrics}, compared as an {@link Exposition} */
    SCRAPE,
    /** an explicitly requested {@code GET /api/v1/metrics}, compared as a {@link GroupsView} */
    API_METRICS,
    /** {@code GET /api/v1/status}: the set of keys */
    API_STATUS_KEYS,
    /** {@code GET /metrics} taken after a request that may change state */
    STATE_SCRAPE,
    /** {@code GET /api/v1/metrics} taken after a request that may change state */
    STATE_API_METRICS
}
