package io.vpnlb.control.pool;

/** What health checks say about a member. Members of a pool without health checks are always UP. */
public enum Health {
    /** Failed {@code fall} checks in a row; takes no clients. */
    DOWN,
    /** Was DOWN and has passed some but not yet {@code rise} checks; takes no clients. */
    STARTING,
    /** Serving. */
    UP,
    /** Was UP and has failed some but not yet {@code fall} checks; still serving. */
    STOPPING;

    /** True when the member may carry traffic. */
    public boolean serving() {
        return this == UP || this == STOPPING;
    }
}
