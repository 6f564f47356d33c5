package io.vpnlb.dataplane.tcp;

import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLSession;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TlsSessionPersistenceTest {

    private static final long MINUTE = Duration.ofMinutes(1).toNanos();

    /** An SSLSession that only keeps values, as the providers' sessions do. */
    private static SSLSession session() {
        Map<String, Object> values = new HashMap<>();
        return (SSLSession) Proxy.newProxyInstance(SSLSession.class.getClassLoader(),
                new Class<?>[] {SSLSession.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "putValue":
                            return values.put((String) args[0], args[1]);
                        case "getValue":
                            return values.get((String) args[0]);
                        default:
                            throw new UnsupportedOperationException(method.getName());
                    }
                });
    }

    @Test
    void aResumedSessionNamesItsMemberUntilUnusedForTheTimeout() {
        TlsSessionPersistence persistence = new TlsSessionPersistence(Duration.ofMinutes(10));
        SSLSession session = session();
        long t0 = 1_000 * MINUTE;

        assertThat(persistence.member(session, t0)).as("new session").isNull();
        persistence.learn(session, "10.0.0.11:443", t0);
        assertThat(persistence.member(session, t0 + 9 * MINUTE)).isEqualTo("10.0.0.11:443");
        // That resumption was a use: the timeout counts from it.
        assertThat(persistence.member(session, t0 + 18 * MINUTE)).isEqualTo("10.0.0.11:443");
        assertThat(persistence.member(session, t0 + 29 * MINUTE)).as("unused for 11 minutes").isNull();
    }

    @Test
    void aSessionSentElsewhereFollowsItsNewMember() {
        TlsSessionPersistence persistence = new TlsSessionPersistence(Duration.ofMinutes(10));
        SSLSession session = session();
        persistence.learn(session, "10.0.0.11:443", 0);
        persistence.learn(session, "10.0.0.12:443", MINUTE);

        assertThat(persistence.member(session, 2 * MINUTE)).isEqualTo("10.0.0.12:443");
        assertThat(persistence.member(session(), 2 * MINUTE)).as("another session").isNull();
    }
}
