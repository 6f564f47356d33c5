package io.vpnlb.config;

import java.util.List;
import java.util.Objects;

/**
 * A set of members that serve one or more services.
 *
 * @param maglevTableSize size of the Maglev lookup table; a prime, at least {@value #MIN_MAGLEV_TABLE_SIZE}
 */
public record PoolConfig(
        String name,
        Algorithm algorithm,
        List<MemberConfig> members,
        HealthCheckConfig healthCheck,
        int maglevTableSize) {

    public static final Algorithm DEFAULT_ALGORITHM = Algorithm.MAGLEV;
    public static final int DEFAULT_MAGLEV_TABLE_SIZE = 65537;
    public static final int MIN_MAGLEV_TABLE_SIZE = 251;
    public static final int MAX_MAGLEV_TABLE_SIZE = 16_777_213;

    public PoolConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(algorithm, "algorithm");
        members = List.copyOf(members);
        Objects.requireNonNull(healthCheck, "healthCheck");
    }
}
