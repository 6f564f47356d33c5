package io.vpnlb.control.pool;

/**
 * How check results move a member's health, HAProxy's way: an UP member that fails becomes STOPPING (still
 * serving) and DOWN after {@code fall} failures in a row; a DOWN member that passes becomes STARTING (not yet
 * serving) and UP after {@code rise} successes in a row.
 */
public final class HealthTransitions {

    private HealthTransitions() {
    }

    /**
     * Records one check result and applies the resulting health. Called by one health-check thread at a time.
     * {@code checked} may be an object a reload has since replaced (same pool and key, new configuration): the
     * result goes to the member as it is now, and is dropped if a reload removed it.
     */
    public static void apply(PoolManager pools, MemberState checked, boolean up, String detail, long nanos,
                             int rise, int fall) {
        synchronized (pools) {
            MemberState member = pools.member(checked.pool(), checked.key());
            if (member == null) {
                return;
            }
            member.recordCheck(up, detail, nanos);
            if (up) {
                member.consecutiveFailures = 0;
                member.consecutiveSuccesses++;
            } else {
                member.consecutiveSuccesses = 0;
                member.consecutiveFailures++;
            }
            Health next = next(member.health(), up, member.consecutiveSuccesses, member.consecutiveFailures,
                    rise, fall);
            pools.health(member, next);
        }
    }

    /** The health after one check. */
    public static Health next(Health current, boolean up, int successes, int failures, int rise, int fall) {
        switch (current) {
            case UP:
            case STOPPING:
                if (up) {
                    return Health.UP;
                }
                return failures >= fall ? Health.DOWN : Health.STOPPING;
            case DOWN:
            case STARTING:
                if (!up) {
                    return Health.DOWN;
                }
                return successes >= rise ? Health.UP : Health.STARTING;
            default:
                throw new IllegalStateException(current.name());
        }
    }
}
