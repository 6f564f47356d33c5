package io.vpnlb.dataplane.tcp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vpnlb.config.Algorithm;
import io.vpnlb.config.IkeConfig;
import io.vpnlb.config.ServiceType;
import io.vpnlb.config.cert.CertificateBundle;
import io.vpnlb.config.cert.CertificateImporter;
import io.vpnlb.dataplane.snapshot.DataPlaneSnapshot;
import io.vpnlb.dataplane.snapshot.ListenerSnapshot;
import io.vpnlb.dataplane.snapshot.MemberSnapshot;
import io.vpnlb.dataplane.snapshot.MemberStats;
import io.vpnlb.dataplane.snapshot.PoolSnapshot;
import io.vpnlb.dataplane.snapshot.ServiceSnapshot;
import io.vpnlb.dataplane.transport.NetTransport;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the SSTP HTTP request check and SSTP packet tracking of {@link SstpInspectionHandler},
 * driven in an {@link EmbeddedChannel} in front of the real {@link TcpProxyHandler} (tls.mode terminate: these are
 * the plaintext bytes after TLS). The router has no member, so a request that passes ends the session as
 * {@code no_member}; packets that arrive with the request are tracked before that. Seeds: the request and packets
 * SstpTestClient sends and the response and packets SstpTestMember answers, whole and cut into reads, and bad
 * requests, in {@code SstpInspectionHandlerFuzzTestInputs/}; the certificate is {@code sstp-fuzz-certificate.pem},
 * so that a seed's CALL_CONNECTED can carry its real SHA-256.
 *
 * <p>Input: a sequence of reads and writes, each {@code [direction][length (2 bytes)][bytes]}; direction bit 0
 * clear = bytes from the client, set = bytes from the member (written toward the client). After the input, the
 * request deadline passes. Whatever the bytes: no exception escapes the pipeline, every buffer is released, member
 * bytes pass unchanged, and the connection ends closed with exactly one counted reason, answered with the HTTP
 * status that belongs to it.
 */
class SstpInspectionHandlerFuzzTest {

    private static final InetSocketAddress CLIENT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 50_000);
    private static final Set<TcpDropReason> EXPECTED = EnumSet.of(TcpDropReason.HTTP_BAD_REQUEST,
            TcpDropReason.HTTP_HEADER_TOO_LARGE, TcpDropReason.HTTP_REQUEST_SMUGGLING,
            TcpDropReason.HTTP_REQUEST_TIMEOUT, TcpDropReason.NO_MEMBER, TcpDropReason.SSTP_MALFORMED);
    private static final CertificateBundle CERTIFICATE = certificate();
    private static final ListenerSnapshot LISTENER = new ListenerSnapshot("sstp/0", 443, 443,
            ListenerSnapshot.Role.PLAIN);
    private static final DataPlaneSnapshot SNAPSHOT = snapshot();

    @FuzzTest(maxDuration = "20s")
    @Timeout(10)
    void inspect(byte[] input) {
        TcpService service = new TcpService("sstp", 0, ServiceType.SSTP, TcpService.Mode.TERMINATE, NetTransport.NIO,
                () -> SNAPSHOT, (s, l, c, first) -> null, null, null, CERTIFICATE, java.time.Duration.ZERO);
        ClientChannel channel = new ClientChannel();
        channel.freezeTime();
        TcpLoop loop = new TcpLoop();
        TcpListenerGroup group = new TcpListenerGroup(service, 0, LISTENER, new InetSocketAddress(443), channel,
                Map.of(channel.eventLoop(), loop));
        TcpProxyHandler proxy = new TcpProxyHandler(service, group);
        channel.pipeline().addLast("sstp", new SstpInspectionHandler(service, proxy));
        channel.pipeline().addLast("proxy", proxy);
        channel.pipeline().fireChannelActive();
        // The request clock starts when the client's TLS handshake completes.
        channel.pipeline().fireUserEventTriggered(SslHandshakeCompletionEvent.SUCCESS);

        List<ByteBuf> sent = new ArrayList<>();
        StringBuilder answer = new StringBuilder();
        try {
            int p = 0;
            while (p + 3 <= input.length && channel.isOpen()) {
                boolean fromMember = (input[p] & 1) != 0;
                int length = Math.min(((input[p + 1] & 0xFF) << 8) | (input[p + 2] & 0xFF), input.length - p - 3);
                ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(length, Math.max(length, 1));
                buf.writeBytes(input, p + 3, length);
                sent.add(buf);
                p += 3 + length;
                if (fromMember) {
                    channel.writeOutbound(buf.retain());
                    ByteBuf passed = channel.readOutbound();
                    assertThat(passed).isSameAs(buf);
                    assertThat(passed.readableBytes()).isEqualTo(length);
                    passed.release();
                } else {
                    channel.writeInbound(buf.retain());
                    assertThat(buf.refCnt()).as("a read the pipeline still holds").isBetween(1, 2);
                }
                drain(channel, answer);
            }
            if (channel.isOpen()) {
                assertThat(loop.counters.drops).containsOnly(0L);
                channel.advanceTimeBy(SstpInspectionHandler.REQUEST_TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
                channel.runScheduledPendingTasks();
                drain(channel, answer);
            }
            assertThat(channel.isOpen()).as("closed once the request deadline passed").isFalse();
            channel.checkException();
        } finally {
            channel.finishAndReleaseAll();
            for (ByteBuf buf : sent) {
                buf.release();
            }
        }
        for (ByteBuf buf : sent) {
            assertThat(buf.refCnt()).as("every buffer released").isZero();
        }
        TcpDropReason reason = onlyDrop(loop.counters);
        assertThat(EXPECTED).contains(reason);
        assertThat(loop.counters.accepted).isEqualTo(1);
        assertThat(loop.counters.closed).isEqualTo(1);
        assertThat(service.activeSessions()).isZero();
        assertThat(loop.size()).isZero();
        String status = answer.length() == 0 ? "" : answer.substring(0, Math.min(answer.length(), 12));
        switch (reason) {
            case HTTP_BAD_REQUEST, HTTP_REQUEST_SMUGGLING -> assertThat(status).isIn("HTTP/1.1 400",
                    "HTTP/1.1 404", "HTTP/1.1 405", "HTTP/1.1 505");
            case HTTP_HEADER_TOO_LARGE -> assertThat(status).isEqualTo("HTTP/1.1 431");
            case HTTP_REQUEST_TIMEOUT -> assertThat(status).isEqualTo("HTTP/1.1 408");
            default -> assertThat(answer).isEmpty();
        }
    }

    private static void drain(EmbeddedChannel channel, StringBuilder answer) {
        for (ByteBuf out; (out = channel.readOutbound()) != null; ) {
            answer.append(out.toString(StandardCharsets.ISO_8859_1));
            out.release();
        }
    }

    private static TcpDropReason onlyDrop(TcpCounters counters) {
        TcpDropReason found = null;
        long total = 0;
        for (TcpDropReason reason : TcpDropReason.values()) {
            long n = counters.drops[reason.ordinal()];
            total += n;
            if (n > 0) {
                found = reason;
            }
        }
        assertThat(total).as("drops counted").isEqualTo(1);
        return found;
    }

    private static CertificateBundle certificate() {
        try {
            Path pem = Path.of(SstpInspectionHandlerFuzzTest.class.getResource("sstp-fuzz-certificate.pem").toURI());
            return CertificateImporter.load(pem, null, CertificateImporter.Options.inspect());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static DataPlaneSnapshot snapshot() {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        List<MemberSnapshot> members = List.of(new MemberSnapshot("127.0.0.1:80", loopback, 80, 100, 1, true, true,
                new MemberStats()));
        PoolSnapshot pool = new PoolSnapshot("pool", Algorithm.ROUND_ROBIN, members, members, null);
        ServiceSnapshot service = new ServiceSnapshot(0, "sstp", ServiceType.SSTP, loopback, List.of(LISTENER), true,
                TimeUnit.MINUTES.toNanos(5), 1000, pool, IkeConfig.DEFAULT);
        return new DataPlaneSnapshot(1, List.of(service));
    }

    /** An embedded channel with a client address, as an accepted TCP connection has. */
    private static final class ClientChannel extends EmbeddedChannel {
        @Override
        protected SocketAddress remoteAddress0() {
            return CLIENT;
        }
    }
}
