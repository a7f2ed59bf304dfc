package io.tidegate.store;

/** What a write does to its group, with the HTTP method that asks for it. */
public enum Verb {
    /** Replace the whole group. */
    PUT,
    /** Replace only the families of the same names in the group. */
    POST,
    /** Remove the group. */
    DELETE,
    /** Remove every group ({@code PUT /api/v1/admin/wipe}); a wipe names no group. */
    WIPE
}
