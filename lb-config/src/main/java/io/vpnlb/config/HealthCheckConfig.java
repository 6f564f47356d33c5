package io.vpnlb.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Active health checking of a pool's members: {@code rise} consecutive successes bring a member UP,
 * {@code fall} consecutive failures take it DOWN. Each check gets {@code timeout} for everything it does (connect,
 * TLS handshake, request and answer).
 *
 * <p>Types ({@link HealthCheckType}): {@code ike} (IKE_SA_INIT, any well-formed IKEv2 answer is up), {@code udp}
 * (any answer), {@code tcp} (connect), {@code tls} (connect and a complete TLS 1.2 or 1.3 handshake), {@code sstp}
 * ({@code HEAD /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1}, up when the status is in
 * {@code expectStatus}). TLS checks do not verify the member's certificate name or issuer (members present the
 * public VPN certificate); in pools used by a {@code tls.mode: reencrypt} service they compare the member's leaf
 * certificate with the one vpnlb presents, on every check, and report a difference (SSTP's crypto binding needs
 * them equal) without changing the member's health.
 *
 * @param https        {@code sstp} checks only: send the request over TLS; {@code null} = decided by the services
 *                     using the pool: plain HTTP when every one of them terminates TLS (members behind TLS offload
 *                     listen on plain HTTP, RRAS with UseHttps=0), HTTPS when any passes TLS through or reencrypts
 * @param expectStatus {@code sstp} checks only: the HTTP statuses that count as UP, by default
 *                     {@link StatusRange#DEFAULT_SSTP} (200-299, and 401, RRAS's answer to a request without
 *                     credentials); written {@code [200-299, 401]} or {@code "200-299, 401"}
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
