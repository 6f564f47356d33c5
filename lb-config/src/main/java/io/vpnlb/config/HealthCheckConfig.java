package io.vpnlb.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Active health checking of a pool's members: {@code rise} consecutive successes bring a member UP,
 * {@code fall} consecutive failures take it DOWN.
 *
 * @param https        {@code sstp} checks only: send the request over TLS; {@code null} = decided by the services
 *                     using the pool (HTTPS unless they terminate TLS, when members listen on plain HTTP)
 * @param expectStatus {@code sstp} checks only: the HTTP statuses that count as UP
 */
public record HealthCheckConfig(HealthCheckType type, Duration interval, Duration timeout, int rise, int fall,
                                Boolean https, List<StatusRange> expectStatus) {

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
        expectStatus = List.copyOf(expectStatus);
    }

    /** A check with the default HTTP settings. */
    public HealthCheckConfig(HealthCheckType type, Duration interval, Duration timeout, int rise, int fall) {
        this(type, interval, timeout, rise, fall, null, StatusRange.DEFAULT_SSTP);
    }
}
