package io.vpnlb.dataplane.tcp;

/**
 * Counters of the TCP connections of one service handled by one event loop, written only by that loop (plain
 * fields) and read by anyone for monitoring. {@link TcpListenerGroup#counters()} sums the loops.
 */
public final class TcpCounters {

    long accepted;
    long opened;
    long closed;
    long rxBytes;
    long txBytes;
    long connectRetries;
    long clientHalfCloses;
    long memberHalfCloses;
    long tlsSessionRoutes;
    long serverNames;
    long sstpRequests;
    long cryptoBindingsMatched;
    long cryptoBindingsIntercepted;
    long cryptoBindingsRejectedByMember;
    long reencryptCertificateMismatches;
    final long[] drops = new long[TcpDropReason.count()];

    /** Connections accepted from clients. */
    public long accepted() {
        return accepted;
    }

    /** Connections whose member connection was established. */
    public long opened() {
        return opened;
    }

    /** Connections closed for any reason. */
    public long closed() {
        return closed;
    }

    /** Bytes from clients (plaintext when vpnlb terminates TLS). */
    public long rxBytes() {
        return rxBytes;
    }

    /** Bytes to clients (plaintext when vpnlb terminates TLS). */
    public long txBytes() {
        return txBytes;
    }

    /** Member connections that failed before any byte was forwarded and were retried on another member. */
    public long connectRetries() {
        return connectRetries;
    }

    public long clientHalfCloses() {
        return clientHalfCloses;
    }

    public long memberHalfCloses() {
        return memberHalfCloses;
    }

    /**
     * Connections routed to the member of the TLS session they resume (TLS-session persistence): by session ID in
     * passthrough, by the resumed session where vpnlb terminates TLS.
     */
    public long tlsSessionRoutes() {
        return tlsSessionRoutes;
    }

    /** Passthrough ClientHellos that carried SNI. */
    public long serverNames() {
        return serverNames;
    }

    /** Valid SSTP_DUPLEX_POST requests (terminate, reencrypt). */
    public long sstpRequests() {
        return sstpRequests;
    }

    /** CALL_CONNECTED messages whose certificate hash matched the certificate vpnlb presented. */
    public long cryptoBindingsMatched() {
        return cryptoBindingsMatched;
    }

    /**
     * CALL_CONNECTED messages whose certificate hash matched neither SHA-256 nor SHA-1 of vpnlb's certificate: the
     * client saw another certificate (TLS inspection on its path).
     */
    public long cryptoBindingsIntercepted() {
        return cryptoBindingsIntercepted;
    }

    /** Members that aborted or disconnected right after a CALL_CONNECTED whose hash matched: wrong offload hash. */
    public long cryptoBindingsRejectedByMember() {
        return cryptoBindingsRejectedByMember;
    }

    /** Reencrypt: member handshakes whose certificate differs from the one vpnlb presents. */
    public long reencryptCertificateMismatches() {
        return reencryptCertificateMismatches;
    }

    public long drops(TcpDropReason reason) {
        return drops[reason.ordinal()];
    }

    /** Connections open now: opened or still being set up, and not closed. */
    public long active() {
        return accepted - closed;
    }

    void add(TcpCounters other) {
        accepted += other.accepted;
        opened += other.opened;
        closed += other.closed;
        rxBytes += other.rxBytes;
        txBytes += other.txBytes;
        connectRetries += other.connectRetries;
        clientHalfCloses += other.clientHalfCloses;
        memberHalfCloses += other.memberHalfCloses;
        tlsSessionRoutes += other.tlsSessionRoutes;
        serverNames += other.serverNames;
        sstpRequests += other.sstpRequests;
        cryptoBindingsMatched += other.cryptoBindingsMatched;
        cryptoBindingsIntercepted += other.cryptoBindingsIntercepted;
        cryptoBindingsRejectedByMember += other.cryptoBindingsRejectedByMember;
        reencryptCertificateMismatches += other.reencryptCertificateMismatches;
        for (int i = 0; i < drops.length; i++) {
            drops[i] += other.drops[i];
        }
    }
}
