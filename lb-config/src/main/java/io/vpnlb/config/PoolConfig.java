package io.vpnlb.config;

import java.util.List;
import java.util.Objects;

/**
 * A set of members that serve one or more services.
 *
 * @param maglevTableSize size of the Maglev lookup table; a prime, at least {@value #MIN_MAGLEV_TABLE_SIZE}
 * @param minUpMembers    priority group activation: new clients go to the highest priority group, joined by the
 *                        next groups down until at least this many members can take clients (F5's "priority group
 *                        activation: less than N available members")
 * @param proxyProtocol   PROXY protocol header on connections to the members (TCP services only)
 */
public record PoolConfig(
        String name,
        Algorithm algorithm,
        List<MemberConfig> members,
        HealthCheckConfig healthCheck,
        int maglevTableSize,
        int minUpMembers,
        ProxyProtocol proxyProtocol) {

    public static final Algorithm DEFAULT_ALGORITHM = Algorithm.MAGLEV;
    public static final int DEFAULT_MAGLEV_TABLE_SIZE = 65537;
    public static final int MIN_MAGLEV_TABLE_SIZE = 251;
    public static final int MAX_MAGLEV_TABLE_SIZE = 16_777_213;
    public static final int DEFAULT_MIN_UP_MEMBERS = 1;
    public static final int MAX_MIN_UP_MEMBERS = 10_000;
    public static final ProxyProtocol DEFAULT_PROXY_PROTOCOL = ProxyProtocol.NONE;

    public PoolConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(algorithm, "algorithm");
        members = List.copyOf(members);
        Objects.requireNonNull(healthCheck, "healthCheck");
        Objects.requireNonNull(proxyProtocol, "proxyProtocol");
    }

    /** A pool without PROXY protocol. */
    public PoolConfig(String name, Algorithm algorithm, List<MemberConfig> members, HealthCheckConfig healthCheck,
                      int maglevTableSize, int minUpMembers) {
        this(name, algorithm, members, healthCheck, maglevTableSize, minUpMembers, DEFAULT_PROXY_PROTOCOL);
    }

    /** A pool whose lower priority groups serve only when no member of a higher one can. */
    public PoolConfig(String name, Algorithm algorithm, List<MemberConfig> members, HealthCheckConfig healthCheck,
                      int maglevTableSize) {
        this(name, algorithm, members, healthCheck, maglevTableSize, DEFAULT_MIN_UP_MEMBERS);
    }
}
