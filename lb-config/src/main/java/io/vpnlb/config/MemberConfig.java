package io.vpnlb.config;

import java.util.Objects;

/**
 * One VPN server in a pool.
 *
 * @param address  IP literal
 * @param port     member port, or {@link #PORT_FROM_SERVICE} to take it from the service's port mapping
 * @param weight   share of new clients relative to the other members, 0..{@value #MAX_WEIGHT}; 0 takes none
 * @param priority priority group; 1 is the highest. A lower group serves only while no member of a higher
 *                 group is eligible
 */
public record MemberConfig(String address, int port, int weight, int priority) {

    public static final int PORT_FROM_SERVICE = 0;
    public static final int DEFAULT_WEIGHT = 100;
    public static final int MAX_WEIGHT = 1000;
    public static final int DEFAULT_PRIORITY = 1;
    public static final int MAX_PRIORITY = 100;

    public MemberConfig {
        Objects.requireNonNull(address, "address");
    }
}
