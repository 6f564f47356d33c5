package io.vpnlb.control.api;

import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class AuthFailureLimiterTest {

    @Test
    void aSourceWithTooManyWrongTokensIsLockedOutForTheWindowOnly() throws Exception {
        AtomicLong now = new AtomicLong();
        AuthFailureLimiter limiter = new AuthFailureLimiter(now::get);
        InetAddress guesser = InetAddress.getByName("192.0.2.7");
        InetAddress operator = InetAddress.getByName("192.0.2.8");
        for (int i = 1; i < AuthFailureLimiter.MAX_FAILURES; i++) {
            limiter.failed(guesser);
            assertThat(limiter.locked(guesser)).as("after %d failures", i).isFalse();
        }
        limiter.failed(guesser);
        assertThat(limiter.locked(guesser)).isTrue();
        assertThat(limiter.locked(operator)).isFalse();
        assertThat(limiter.locked(null)).isFalse();
        assertThat(limiter.refused()).isEqualTo(1);

        now.addAndGet(AuthFailureLimiter.WINDOW.plus(Duration.ofSeconds(1)).toNanos());
        assertThat(limiter.locked(guesser)).isFalse();
    }

    @Test
    void theApiAnswers429ToALockedOutSourceEvenWithTheRightToken() throws Exception {
        try (AdminFixture fixture = new AdminFixture().start("maglev", "5m", AdminFixture.Member.of("127.0.1.1"))) {
            AdminApi api = new AdminApi(fixture.balancer.pools(), fixture.balancer.udp(), fixture.balancer.metrics(),
                    null, AdminToken.of("right-token"));
            InetAddress guesser = InetAddress.getByName("192.0.2.7");
            for (int i = 0; i < AuthFailureLimiter.MAX_FAILURES; i++) {
                assertThat(api.handle(HttpMethod.GET, "/api/v1/pools", "Bearer wrong-" + i, new byte[0], guesser)
                        .status().code()).isEqualTo(401);
            }
            AdminResponse locked = api.handle(HttpMethod.GET, "/api/v1/pools", "Bearer right-token", new byte[0],
                    guesser);
            assertThat(locked.status().code()).isEqualTo(429);
            assertThat(locked.headers()).containsEntry("Retry-After", "60");
            assertThat(api.handle(HttpMethod.GET, "/api/v1/pools", "Bearer right-token", new byte[0],
                    InetAddress.getByName("192.0.2.8")).status().code()).isEqualTo(200);
            assertThat(api.handle(HttpMethod.GET, "/healthz", null, new byte[0], guesser).status().code())
                    .isEqualTo(200);
            // The fixture's own admin API shares the registry and refused nothing.
            assertThat(fixture.balancer.metrics().scrape().lines()).contains(
                    "vpnlb_admin_auth_failures_total " + AuthFailureLimiter.MAX_FAILURES + ".0",
                    "vpnlb_admin_auth_locked_out_total 1.0");
        }
    }
}
