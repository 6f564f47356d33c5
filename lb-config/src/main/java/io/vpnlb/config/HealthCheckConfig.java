package io.vpnlb.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Active health checking of a pool's members: {@code rise} consecutive successes bring a member UP,
 * {@code fall} consecutive failures take it DOWN.
 */
public record HealthCheckConfig(HealthCheckType type, Duration interval, Duration timeout, int rise, int fall) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    public static final int DEFAULT_RISE = 2;
    public static final int DEFAULT_FALL = 3;
    public static final int MAX_RISE = 100;
    public static final int MAX_FALL = 100;

    public static final HealthCheckConfig NONE =
            new HealthCheckConfig(HealthCheckType.NONE, DEFAULT_INTERVAL, DEFAULT_TIMEOUT, DEFAULT_RISE, DEFAULT_FALL);

    public HealthCheckConfig {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
    }
}
