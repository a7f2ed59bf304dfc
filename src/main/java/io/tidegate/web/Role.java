package io.tidegate.web;

/**
 * What the web configuration file's {@code tidegate} section can limit to named users. Upstream
 * has no roles: every user of {@code basic_auth_users} may use every endpoint, and so may every
 * user here while a role's key is absent. Pushing (DELETE of a group included) and reading are
 * never limited.
 */
public enum Role {
    /** {@code PUT /api/v1/admin/wipe}, the one route behind {@code --web.enable-admin-api}. */
    ADMIN("admin_users", "the admin API"),
    /** {@code PUT|POST /-/quit} and {@code /-/reload}, the routes behind {@code --web.enable-lifecycle}. */
    LIFECYCLE("lifecycle_users", "the lifecycle API");

    /** The key of the {@code tidegate} section that lists the role's users. */
    public final String key;
    /** What the role lets a user do, for messages. */
    public final String grants;

    Role(String key, String grants) {
        this.key = key;
        this.grants = grants;
    }
}
