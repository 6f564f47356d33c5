package io.vpnlb.dataplane.tcp;

import javax.net.ssl.SSLSession;
import java.time.Duration;

/**
 * TLS-session persistence where vpnlb ends the client's TLS (terminate, reencrypt): a client that resumes a session
 * vpnlb established reaches the member of that session's earlier connections, from any address, as long as the
 * session was used within the timeout. The member is chosen after the handshake, so the resumed session is known.
 *
 * <p>The member rides in the TLS session itself, as an {@link SSLSession} value: the provider's session cache hands
 * the same session (and its values) back on resumption, by session ID in TLS 1.2 with BoringSSL and the JDK, and in
 * the JDK's stateful TLS 1.3 resumption. A session rebuilt from a stateless ticket would have lost it, hence
 * {@link TlsProcessSettings#resumeBySessionId()}. Bounded by the server's session cache
 * ({@link TlsContexts#SESSION_CACHE_SIZE}); touched only when a member connection is set up.
 */
final class TlsSessionPersistence {

    /** The {@link SSLSession} value name. */
    static final String VALUE_NAME = "io.vpnlb.persistence";

    private final long timeoutNanos;

    TlsSessionPersistence(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    /**
     * The key of the member {@code session} went to, when the session was used within the timeout (this counts as
     * a use); {@code null} for a new session or one unused for longer.
     */
    String member(SSLSession session, long nowNanos) {
        Object value = session.getValue(VALUE_NAME);
        if (!(value instanceof Binding)) {
            return null;
        }
        Binding binding = (Binding) value;
        if (nowNanos - binding.lastUsedNanos > timeoutNanos) {
            return null;
        }
        binding.lastUsedNanos = nowNanos;
        return binding.memberKey;
    }

    /** Records that {@code session} reached {@code memberKey} now. */
    void learn(SSLSession session, String memberKey, long nowNanos) {
        Object value = session.getValue(VALUE_NAME);
        if (value instanceof Binding && ((Binding) value).memberKey.equals(memberKey)) {
            ((Binding) value).lastUsedNanos = nowNanos;
        } else {
            session.putValue(VALUE_NAME, new Binding(memberKey, nowNanos));
        }
    }

    /** A session's member; connections resuming the session on several event loops share it. */
    static final class Binding {

        final String memberKey;
        volatile long lastUsedNanos;

        Binding(String memberKey, long lastUsedNanos) {
            this.memberKey = memberKey;
            this.lastUsedNanos = lastUsedNanos;
        }
    }
}
