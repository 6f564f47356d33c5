package io.vpnlb.control.pool;

/** What an operator says about a member, independent of its health. */
public enum AdminState {
    /** Takes new clients when healthy. */
    READY,
    /** Takes no new clients; existing sessions and persistence keep flowing until they end. */
    DRAIN,
    /** Out of service: sessions are closed, persistence entries dropped, health checks stopped. */
    MAINT;

    public String apiName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The state for an API or CLI spelling ({@code ready}, {@code drain}, {@code maint}), or {@code null}. */
    public static AdminState fromApiName(String name) {
        for (AdminState state : values()) {
            if (state.apiName().equalsIgnoreCase(name)) {
                return state;
            }
        }
        return null;
    }
}
