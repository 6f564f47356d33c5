package io.vpnlb.dataplane.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.vpnlb.config.Algorithm;
import io.vpnlb.config.IkeConfig;
import io.vpnlb.config.ServiceType;
import io.vpnlb.dataplane.internal.FakeFileDescriptors;
import io.vpnlb.dataplane.internal.FileDescriptorReserve;
import io.vpnlb.dataplane.internal.SessionLimit;
import io.vpnlb.dataplane.snapshot.DataPlaneSnapshot;
import io.vpnlb.dataplane.snapshot.ListenerSnapshot;
import io.vpnlb.dataplane.snapshot.MemberSnapshot;
import io.vpnlb.dataplane.snapshot.MemberStats;
import io.vpnlb.dataplane.snapshot.PoolSnapshot;
import io.vpnlb.dataplane.snapshot.ServiceSnapshot;
import io.vpnlb.dataplane.snapshot.SessionRouter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class UdpListenerHandlerTest {

    private static final InetSocketAddress CLIENT_A = address("198.51.100.7", 40000);
    private static final InetSocketAddress CLIENT_B = address("198.51.100.8", 40001);
    private static final InetSocketAddress CLIENT_V6 = address("2001:db8::7", 40002);
    private static final InetSocketAddress VIP = address("203.0.113.10", 4500);

    private final MemberSnapshot member = new MemberSnapshot("192.0.2.11:0", ip("192.0.2.11"), 0, 100, 1, true, true,
            new MemberStats());
    private final Connector connector = new Connector();
    private final List<InetSocketAddress> routed = new ArrayList<>();
    private SessionRouter router = (service, listener, client, first) -> {
        routed.add(client);
        return member;
    };
    private int maxSessions = 100;
    private long idleTimeoutNanos = TimeUnit.MINUTES.toNanos(5);
    private final SessionLimit limit = new SessionLimit();
    /** The process's descriptors as the handler sees them: a limit of 10,000 with 40 open unless a test says. */
    private final FakeFileDescriptors fds = new FakeFileDescriptors(10_000, 40);
    private FileDescriptorReserve descriptors;
    private UdpListenerHandler handler;
    private EmbeddedChannel listener;

    @AfterEach
    void tearDown() {
        if (listener != null) {
            listener.finishAndReleaseAll();
        }
        for (EmbeddedChannel upstream : connector.opened) {
            upstream.finishAndReleaseAll();
        }
    }

    private ListenerSnapshot.Role role = ListenerSnapshot.Role.PLAIN;
    private IkeConfig ike = IkeConfig.DEFAULT;
    private FloodGuard guard;
    private final List<String> learned = new ArrayList<>();

    private void start() {
        PoolSnapshot pool = new PoolSnapshot("vpn", Algorithm.ROUND_ROBIN, List.of(member), List.of(member), null);
        ServiceSnapshot service = new ServiceSnapshot(0, "udp", ServiceType.UDP, VIP.getAddress(),
                List.of(new ListenerSnapshot("udp/4500", 4500, 14500, role)), true, idleTimeoutNanos, maxSessions,
                pool, ike);
        DataPlaneSnapshot snapshot = new DataPlaneSnapshot(1, List.of(service));
        SessionRouter recording = new SessionRouter() {
            @Override
            public MemberSnapshot route(ServiceSnapshot s, ListenerSnapshot l, InetSocketAddress c,
                                        io.vpnlb.dataplane.wire.DatagramClassifier f) {
                return router.route(s, l, c, f);
            }

            @Override
            public void learnIke(ServiceSnapshot s, MemberSnapshot m, long initiatorSpi, long responderSpi) {
                learned.add(String.format("ike %x %x", initiatorSpi, responderSpi));
            }

            @Override
            public void learnEsp(ServiceSnapshot s, MemberSnapshot m, int spi) {
                learned.add(String.format("esp %x", spi));
            }
        };
        guard = role.inspected() ? new FloodGuard() : null;
        // Sampled once, here: the sessions the handler opens and closes move the count from then on.
        descriptors = new FileDescriptorReserve(fds, FileDescriptorReserve.DEFAULT_RESERVE, Long.MAX_VALUE / 4,
                System.nanoTime());
        handler = new UdpListenerHandler(0, 0, () -> snapshot, recording, connector, limit, descriptors, guard);
        listener = new EmbeddedChannel(handler);
    }

    @Test
    void firstDatagramOpensSessionAndForwardsTheSameBuffer() {
        start();
        ByteBuf content = bytes("ike-sa-init");

        listener.writeInbound(new DatagramPacket(content, VIP, CLIENT_A));

        assertThat(connector.opened).hasSize(1);
        assertThat(connector.targets).containsExactly(address("192.0.2.11", 14500));
        ByteBuf forwarded = connector.opened.get(0).readOutbound();
        assertThat(forwarded).isSameAs(content);
        assertThat(forwarded.toString(StandardCharsets.US_ASCII)).isEqualTo("ike-sa-init");
        forwarded.release();
        assertThat(handler.sessionCount()).isEqualTo(1);
        assertThat(handler.counters().sessionsCreated()).isEqualTo(1);
        assertThat(member.stats().activeSessions()).isEqualTo(1);
        assertThat(limit.active()).isEqualTo(1);
    }

    @Test
    void laterDatagramsOfTheClientReuseTheSessionAndKeepalivesPass() {
        start();
        listener.writeInbound(new DatagramPacket(bytes("first"), VIP, CLIENT_A));
        ByteBuf keepalive = Unpooled.wrappedBuffer(new byte[] {(byte) 0xFF});
        listener.writeInbound(new DatagramPacket(keepalive, VIP, CLIENT_A));

        assertThat(connector.opened).hasSize(1);
        assertThat(routed).containsExactly(CLIENT_A);
        EmbeddedChannel upstream = connector.opened.get(0);
        ByteBuf first = upstream.readOutbound();
        first.release();
        ByteBuf second = upstream.readOutbound();
        assertThat(second).isSameAs(keepalive);
        assertThat(second.readableBytes()).isEqualTo(1);
        assertThat(second.getByte(0)).isEqualTo((byte) 0xFF);
        second.release();
        assertThat(handler.counters().rxDatagrams()).isEqualTo(2);
    }

    @Test
    void memberReplyGoesToTheClientFromTheVipWithTheSameBuffer() {
        start();
        listener.writeInbound(new DatagramPacket(bytes("request"), VIP, CLIENT_A));
        EmbeddedChannel upstream = connector.opened.get(0);
        ((ByteBuf) upstream.readOutbound()).release();

        ByteBuf reply = bytes("reply");
        upstream.writeInbound(new DatagramPacket(reply, address("0.0.0.0", 50000), address("192.0.2.11", 14500)));

        // written now, flushed once the event loop has read every ready socket (its pending tasks)
        assertThat(listener.outboundMessages()).isEmpty();
        listener.runPendingTasks();
        DatagramPacket out = listener.readOutbound();
        assertThat(out.recipient()).isEqualTo(CLIENT_A);
        assertThat(out.content()).isSameAs(reply);
        out.release();
        assertThat(reply.refCnt()).isZero();
        assertThat(handler.counters().txDatagrams()).isEqualTo(1);
        assertThat(handler.counters().txBytes()).isEqualTo(5);
    }

    @Test
    void theReplyFlushWaitsForTheEventLoopPass() {
        start();
        listener.writeInbound(new DatagramPacket(bytes("a"), VIP, CLIENT_A));
        ((ByteBuf) connector.opened.get(0).readOutbound()).release();
        int[] flushes = new int[1];
        listener.pipeline().addFirst(new io.netty.channel.ChannelOutboundHandlerAdapter() {
            @Override
            public void flush(io.netty.channel.ChannelHandlerContext ctx) {
                flushes[0]++;
                ctx.flush();
            }
        });

        // The upstream read ends (read-complete) without a flush of the listener: the flush is a task of the
        // listener's event loop, run after every ready socket was read, so replies read meanwhile share it.
        connector.opened.get(0).writeInbound(new DatagramPacket(bytes("reply-a"), address("0.0.0.0", 1),
                address("192.0.2.11", 14500)));
        assertThat(flushes[0]).isZero();
        assertThat(listener.outboundMessages()).isEmpty();
        listener.runPendingTasks();

        assertThat(flushes[0]).isEqualTo(1);
        DatagramPacket out = listener.readOutbound();
        assertThat(out.recipient()).isEqualTo(CLIENT_A);
        out.release();
    }

    @Test
    void distinctClientsGetDistinctSessionsIncludingIpv6() {
        start();
        listener.writeInbound(new DatagramPacket(bytes("a"), VIP, CLIENT_A));
        listener.writeInbound(new DatagramPacket(bytes("b"), VIP, CLIENT_B));
        listener.writeInbound(new DatagramPacket(bytes("c"), VIP, CLIENT_V6));

        assertThat(connector.opened).hasSize(3);
        assertThat(handler.sessionCount()).isEqualTo(3);
        assertThat(handler.session(CLIENT_V6).client()).isEqualTo(CLIENT_V6);
        for (EmbeddedChannel upstream : connector.opened) {
            ((ByteBuf) upstream.readOutbound()).release();
        }
    }

    @Test
    void noEligibleMemberDropsAndCountsAndReleases() {
        router = (service, listener, client, first) -> null;
        start();
        ByteBuf content = bytes("nobody home");

        listener.writeInbound(new DatagramPacket(content, VIP, CLIENT_A));

        assertThat(content.refCnt()).isZero();
        assertThat(connector.opened).isEmpty();
        assertThat(handler.counters().drops(DropReason.NO_MEMBER)).isEqualTo(1);
        assertThat(limit.active()).isZero();
        assertThat(listener.finish()).isFalse();
    }

    @Test
    void sessionsBeyondTheLimitAreRefusedWithoutEvictingActiveOnes() {
        maxSessions = 1;
        start();
        listener.writeInbound(new DatagramPacket(bytes("a"), VIP, CLIENT_A));
        ByteBuf refused = bytes("b");

        listener.writeInbound(new DatagramPacket(refused, VIP, CLIENT_B));
        listener.writeInbound(new DatagramPacket(bytes("a2"), VIP, CLIENT_A));

        assertThat(refused.refCnt()).isZero();
        assertThat(handler.counters().drops(DropReason.SESSION_LIMIT)).isEqualTo(1);
        assertThat(handler.session(CLIENT_A)).isNotNull();
        assertThat(handler.session(CLIENT_B)).isNull();
        EmbeddedChannel upstream = connector.opened.get(0);
        ByteBuf first = upstream.readOutbound();
        ByteBuf second = upstream.readOutbound();
        assertThat(second.toString(StandardCharsets.US_ASCII)).isEqualTo("a2");
        first.release();
        second.release();
    }

    @Test
    void sessionsThatWouldEatIntoTheDescriptorReserveAreRefusedAndCounted() {
        // 300 open files allowed, 42 open: 2 sessions leave 256 free, the third would take one of them.
        fds.limit = 300;
        fds.open = 42;
        idleTimeoutNanos = TimeUnit.SECONDS.toNanos(30);
        start();
        InetSocketAddress clientC = address("198.51.100.9", 40003);
        listener.writeInbound(new DatagramPacket(bytes("a"), VIP, CLIENT_A));
        listener.writeInbound(new DatagramPacket(bytes("v6"), VIP, CLIENT_V6));
        ByteBuf refused = bytes("b");

        listener.writeInbound(new DatagramPacket(refused, VIP, CLIENT_B));
        listener.writeInbound(new DatagramPacket(bytes("a2"), VIP, CLIENT_A));

        assertThat(refused.refCnt()).isZero();
        assertThat(handler.counters().drops(DropReason.FD_RESERVE)).isEqualTo(1);
        assertThat(handler.counters().drops(DropReason.UPSTREAM_FAILED)).isZero();
        assertThat(routed).containsExactly(CLIENT_A, CLIENT_V6);
        assertThat(connector.opened).hasSize(2);
        assertThat(handler.session(CLIENT_B)).isNull();
        assertThat(limit.active()).isEqualTo(2);
        assertThat(descriptors.open()).isEqualTo(44);
        // The established session keeps forwarding.
        EmbeddedChannel upstream = connector.opened.get(0);
        ((ByteBuf) upstream.readOutbound()).release();
        ByteBuf second = upstream.readOutbound();
        assertThat(second.toString(StandardCharsets.US_ASCII)).isEqualTo("a2");
        second.release();
        ((ByteBuf) connector.opened.get(1).readOutbound()).release();

        // Sessions that end give their descriptors back: the next new clients get them.
        handler.sweep(handler.session(CLIENT_A).lastActivityNanos + TimeUnit.SECONDS.toNanos(31));
        assertThat(handler.sessionCount()).isZero();
        assertThat(descriptors.open()).isEqualTo(42);
        listener.writeInbound(new DatagramPacket(bytes("b2"), VIP, CLIENT_B));
        listener.writeInbound(new DatagramPacket(bytes("c"), VIP, clientC));
        listener.writeInbound(new DatagramPacket(bytes("a3"), VIP, CLIENT_A));

        assertThat(handler.session(CLIENT_B)).isNotNull();
        assertThat(handler.session(clientC)).isNotNull();
        assertThat(handler.session(CLIENT_A)).isNull();
        assertThat(handler.counters().drops(DropReason.FD_RESERVE)).isEqualTo(2);
        ((ByteBuf) connector.opened.get(2).readOutbound()).release();
        ((ByteBuf) connector.opened.get(3).readOutbound()).release();
    }

    @Test
    void aSessionRefusedAfterItsDescriptorWasTakenGivesItBack() {
        fds.limit = 300;
        fds.open = 40;
        start();
        router = (service, listener, client, first) -> null;

        listener.writeInbound(new DatagramPacket(bytes("a"), VIP, CLIENT_A));

        assertThat(handler.counters().drops(DropReason.NO_MEMBER)).isEqualTo(1);
        assertThat(descriptors.open()).isEqualTo(40);
        assertThat(limit.active()).isZero();
    }

    @Test
    void datagramsWaitForTheUpstreamConnectAndFollowInOrder() {
        connector.deferConnect = true;
        start();
        listener.writeInbound(new DatagramPacket(bytes("one"), VIP, CLIENT_A));
        listener.writeInbound(new DatagramPacket(bytes("two"), VIP, CLIENT_A));
        EmbeddedChannel upstream = connector.opened.get(0);
        assertThat((Object) upstream.readOutbound()).isNull();

        connector.promises.get(0).setSuccess();

        ByteBuf one = upstream.readOutbound();
        ByteBuf two = upstream.readOutbound();
        assertThat(one.toString(StandardCharsets.US_ASCII)).isEqualTo("one");
        assertThat(two.toString(StandardCharsets.US_ASCII)).isEqualTo("two");
        one.release();
        two.release();
    }

    @Test
    void failedUpstreamConnectReleasesQueuedDatagramsAndClosesTheSession() {
        connector.deferConnect = true;
        start();
        ByteBuf queued = bytes("queued");
        listener.writeInbound(new DatagramPacket(queued, VIP, CLIENT_A));

        connector.promises.get(0).setFailure(new java.net.ConnectException("Network is unreachable"));

        assertThat(queued.refCnt()).isZero();
        assertThat(handler.sessionCount()).isZero();
        assertThat(handler.counters().drops(DropReason.UPSTREAM_FAILED)).isEqualTo(1);
        assertThat(member.stats().activeSessions()).isZero();
        assertThat(limit.active()).isZero();
        assertThat(descriptors.open()).isEqualTo(40);
    }

    @Test
    void idleSessionsExpireAndReleaseTheirUpstreamSocket() {
        idleTimeoutNanos = TimeUnit.SECONDS.toNanos(30);
        start();
        listener.writeInbound(new DatagramPacket(bytes("a"), VIP, CLIENT_A));
        EmbeddedChannel upstream = connector.opened.get(0);
        ((ByteBuf) upstream.readOutbound()).release();
        long created = handler.session(CLIENT_A).lastActivityNanos;

        handler.sweep(created + TimeUnit.SECONDS.toNanos(29));
        assertThat(handler.sessionCount()).isEqualTo(1);

        handler.sweep(created + TimeUnit.SECONDS.toNanos(31));
        assertThat(handler.sessionCount()).isZero();
        assertThat(upstream.isOpen()).isFalse();
        assertThat(handler.counters().sessionsExpired()).isEqualTo(1);
        assertThat(member.stats().activeSessions()).isZero();
        assertThat(limit.active()).isZero();
    }

    @Test
    void closingTheListenerClosesEverySession() {
        start();
        listener.writeInbound(new DatagramPacket(bytes("a"), VIP, CLIENT_A));
        listener.writeInbound(new DatagramPacket(bytes("b"), VIP, CLIENT_B));
        for (EmbeddedChannel upstream : connector.opened) {
            ((ByteBuf) upstream.readOutbound()).release();
        }

        listener.close();

        assertThat(handler.sessionCount()).isZero();
        assertThat(connector.opened).allSatisfy(upstream -> assertThat(upstream.isOpen()).isFalse());
        assertThat(member.stats().activeSessions()).isZero();
    }

    @Test
    void anUnreachableMemberIsCountedAndTheSessionStays() {
        start();
        listener.writeInbound(new DatagramPacket(bytes("a"), VIP, CLIENT_A));
        EmbeddedChannel upstream = connector.opened.get(0);
        ((ByteBuf) upstream.readOutbound()).release();

        upstream.pipeline().fireExceptionCaught(new java.net.PortUnreachableException("ICMP port unreachable"));

        assertThat(handler.counters().upstreamErrors()).isEqualTo(1);
        assertThat(handler.session(CLIENT_A)).isNotNull();
        assertThat(upstream.isOpen()).isTrue();
    }

    @Test
    void evictingAMemberClosesItsSessionsOnly() {
        start();
        listener.writeInbound(new DatagramPacket(bytes("a"), VIP, CLIENT_A));
        listener.writeInbound(new DatagramPacket(bytes("b"), VIP, CLIENT_B));
        for (EmbeddedChannel upstream : connector.opened) {
            ((ByteBuf) upstream.readOutbound()).release();
        }

        assertThat(handler.evictMember("other-pool", member.key())).isZero();
        assertThat(handler.evictMember("vpn", "192.0.2.99:0")).isZero();
        assertThat(handler.evictMember("vpn", member.key())).isEqualTo(2);

        assertThat(handler.sessionCount()).isZero();
        assertThat(connector.opened).allSatisfy(upstream -> assertThat(upstream.isOpen()).isFalse());
        assertThat(limit.active()).isZero();
    }

    @Test
    void onANatTPortMalformedDatagramsAreDroppedCountedAndReleased() {
        role = ListenerSnapshot.Role.NAT_T;
        start();
        ByteBuf reservedSpi = hex("000000ff" + "00000001");
        ByteBuf ikev1 = hex("00000000" + "0102030405060708" + "0000000000000000" + "21" + "10" + "22" + "08"
                + "00000000" + "0000001c");

        listener.writeInbound(new DatagramPacket(reservedSpi, VIP, CLIENT_A));
        listener.writeInbound(new DatagramPacket(ikev1, VIP, CLIENT_A));

        assertThat(reservedSpi.refCnt()).isZero();
        assertThat(ikev1.refCnt()).isZero();
        assertThat(handler.counters().drops(DropReason.RESERVED_ESP_SPI)).isEqualTo(1);
        assertThat(handler.counters().drops(DropReason.BAD_IKE_VERSION)).isEqualTo(1);
        assertThat(connector.opened).isEmpty();
        assertThat(listener.finish()).isFalse();
    }

    @Test
    void spisAreLearnedOncePerSaFromBothDirectionsAndFragmentsAreCounted() {
        role = ListenerSnapshot.Role.NAT_T;
        start();
        String ikeAuthFragment = "00000000" + "0102030405060708" + "1112131415161718" + "35" + "20" + "23" + "08"
                + "00000001" + "00000024" + "27" + "00" + "0008" + "0001" + "0002";
        listener.writeInbound(new DatagramPacket(hex(ikeAuthFragment), VIP, CLIENT_A));
        listener.writeInbound(new DatagramPacket(hex(ikeAuthFragment.replace("00010002", "00020002")), VIP, CLIENT_A));
        listener.writeInbound(new DatagramPacket(hex("c0ffee01" + "00000001"), VIP, CLIENT_A));
        listener.writeInbound(new DatagramPacket(hex("c0ffee01" + "00000002"), VIP, CLIENT_A));
        listener.writeInbound(new DatagramPacket(hex("ff"), VIP, CLIENT_A));
        EmbeddedChannel upstream = connector.opened.get(0);
        upstream.writeInbound(new DatagramPacket(hex("0badf00d" + "00000001"), address("0.0.0.0", 1),
                address("192.0.2.11", 14500)));

        assertThat(learned).containsExactly("ike 102030405060708 1112131415161718", "esp c0ffee01", "esp badf00d");
        assertThat(handler.counters().ikeMessages()).isEqualTo(2);
        assertThat(handler.counters().ikeFragments()).isEqualTo(2);
        assertThat(handler.counters().espDatagrams()).isEqualTo(2);
        assertThat(handler.counters().keepalives()).isEqualTo(1);
        for (Object out; (out = upstream.readOutbound()) != null; ) {
            ((ByteBuf) out).release();
        }
        listener.runPendingTasks();
        ((DatagramPacket) listener.readOutbound()).release();
    }

    @Test
    void aMembersIkeSaInitResponseTellsWhetherItOffersFragmentation() {
        role = ListenerSnapshot.Role.IKE;
        start();
        listener.writeInbound(new DatagramPacket(hex("0102030405060708" + "0000000000000000" + "00" + "20" + "22"
                + "08" + "00000000" + "0000001c"), VIP, CLIENT_A));
        EmbeddedChannel upstream = connector.opened.get(0);
        ((ByteBuf) upstream.readOutbound()).release();
        String notifyFragmentation = "00" + "00" + "0008" + "00" + "00" + "402e";

        upstream.writeInbound(new DatagramPacket(hex("0102030405060708" + "1112131415161718" + "29" + "20" + "22"
                + "20" + "00000000" + "00000024" + notifyFragmentation), address("0.0.0.0", 1),
                address("192.0.2.11", 14500)));

        assertThat(member.stats().ikeSaInitResponses()).isEqualTo(1);
        assertThat(member.stats().fragmentationOffers()).isEqualTo(1);
        assertThat(learned).containsExactly("ike 102030405060708 0", "ike 102030405060708 1112131415161718");
        listener.runPendingTasks();
        ((DatagramPacket) listener.readOutbound()).release();
    }

    private static String ikeSaInit(long spi) {
        return String.format("%016x", spi) + "0000000000000000" + "00" + "20" + "22" + "08" + "00000000" + "0000001c";
    }

    private static InetSocketAddress port(InetSocketAddress client, int port) {
        return new InetSocketAddress(client.getAddress(), port);
    }

    @Test
    void halfOpenSessionsAreBoundedPerSourceAndFreedWhenTheMemberAnswers() {
        role = ListenerSnapshot.Role.IKE;
        ike = new IkeConfig(true, 100, 2, java.time.Duration.ofSeconds(30), 1000);
        start();
        listener.writeInbound(new DatagramPacket(hex(ikeSaInit(1)), VIP, port(CLIENT_A, 1001)));
        listener.writeInbound(new DatagramPacket(hex(ikeSaInit(2)), VIP, port(CLIENT_A, 1002)));
        ByteBuf third = hex(ikeSaInit(3));
        listener.writeInbound(new DatagramPacket(third, VIP, port(CLIENT_A, 1003)));
        listener.writeInbound(new DatagramPacket(hex(ikeSaInit(4)), VIP, port(CLIENT_B, 1004)));

        assertThat(third.refCnt()).isZero();
        assertThat(handler.counters().drops(DropReason.HALF_OPEN_SOURCE_LIMIT)).isEqualTo(1);
        assertThat(guard.halfOpen()).isEqualTo(3);

        // A COOKIE answer (no responder SPI) leaves the session half-open: the slot stays taken.
        EmbeddedChannel first = connector.opened.get(0);
        first.writeInbound(new DatagramPacket(hex(ikeSaInit(1).replace("22080000", "22200000")),
                address("0.0.0.0", 1), address("192.0.2.11", 14500)));
        assertThat(guard.halfOpen()).isEqualTo(3);
        ByteBuf stillRefused = hex(ikeSaInit(6));
        listener.writeInbound(new DatagramPacket(stillRefused, VIP, port(CLIENT_A, 1006)));
        assertThat(stillRefused.refCnt()).isZero();
        // The member answers with an SA (a responder SPI): that session is established and its slot is free.
        first.writeInbound(new DatagramPacket(hex(ikeSaInit(1).replace("0000000000000000", "1112131415161718")
                .replace("22080000", "22200000")), address("0.0.0.0", 1), address("192.0.2.11", 14500)));
        listener.writeInbound(new DatagramPacket(hex(ikeSaInit(5)), VIP, port(CLIENT_A, 1005)));

        assertThat(handler.sessionCount()).isEqualTo(4);
        assertThat(guard.halfOpen()).isEqualTo(3);
        releaseAll();
    }

    @Test
    void theServiceWideHalfOpenBoundRefusesNewIkeSaInitsButNotEsp() {
        role = ListenerSnapshot.Role.NAT_T;
        ike = new IkeConfig(true, 1, 1, java.time.Duration.ofSeconds(30), 1000);
        start();
        listener.writeInbound(new DatagramPacket(hex("00000000" + ikeSaInit(1)), VIP, CLIENT_A));
        ByteBuf refused = hex("00000000" + ikeSaInit(2));
        listener.writeInbound(new DatagramPacket(refused, VIP, CLIENT_B));
        listener.writeInbound(new DatagramPacket(hex("c0ffee01" + "00000001"), VIP, CLIENT_V6));

        assertThat(refused.refCnt()).isZero();
        assertThat(handler.counters().drops(DropReason.HALF_OPEN_LIMIT)).isEqualTo(1);
        assertThat(handler.session(CLIENT_V6)).isNotNull();
        releaseAll();
    }

    @Test
    void aSourceOpeningSessionsTooFastIsRefusedAfterItsBurst() {
        role = ListenerSnapshot.Role.NAT_T;
        ike = new IkeConfig(true, 100, 100, java.time.Duration.ofSeconds(30), 1);
        start();
        for (int port = 1; port <= 3; port++) {
            listener.writeInbound(new DatagramPacket(hex("c0ffee01" + "00000001"), VIP, port(CLIENT_A, port)));
        }

        assertThat(handler.sessionCount()).isEqualTo(2);
        assertThat(handler.counters().drops(DropReason.NEW_SESSION_RATE)).isEqualTo(1);
        releaseAll();
    }

    @Test
    void unansweredHalfOpenSessionsExpireAfterTheHalfOpenTimeout() {
        role = ListenerSnapshot.Role.IKE;
        ike = new IkeConfig(true, 100, 16, java.time.Duration.ofSeconds(10), 1000);
        start();
        listener.writeInbound(new DatagramPacket(hex(ikeSaInit(1)), VIP, CLIENT_A));
        long created = handler.session(CLIENT_A).createdNanos;

        handler.sweep(created + TimeUnit.SECONDS.toNanos(9));
        assertThat(handler.sessionCount()).isEqualTo(1);
        handler.sweep(created + TimeUnit.SECONDS.toNanos(11));

        assertThat(handler.sessionCount()).isZero();
        assertThat(handler.counters().halfOpenExpired()).isEqualTo(1);
        assertThat(guard.halfOpen()).isZero();
        releaseAll();
    }

    private void releaseAll() {
        for (EmbeddedChannel upstream : connector.opened) {
            for (Object out; (out = upstream.readOutbound()) != null; ) {
                io.netty.util.ReferenceCountUtil.release(out);
            }
        }
        listener.runPendingTasks();
        for (Object out; (out = listener.readOutbound()) != null; ) {
            io.netty.util.ReferenceCountUtil.release(out);
        }
    }

    @Test
    void nonDatagramMessagesAreDroppedAndReleased() {
        start();
        ByteBuf stray = bytes("stray");
        listener.writeInbound(stray);
        assertThat(stray.refCnt()).isZero();
        assertThat(handler.counters().drops(DropReason.NOT_A_DATAGRAM)).isEqualTo(1);
    }

    private static ByteBuf hex(String hex) {
        return Unpooled.wrappedBuffer(java.util.HexFormat.of().parseHex(hex));
    }

    private static ByteBuf bytes(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }

    private static InetSocketAddress address(String ip, int port) {
        return new InetSocketAddress(ip(ip), port);
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** An embedded channel that reports itself inactive until its connect completes. */
    private static final class ConnectingChannel extends EmbeddedChannel {
        boolean connected;

        ConnectingChannel(ChannelHandler handler, boolean connected) {
            super(handler);
            this.connected = connected;
        }

        @Override
        public boolean isActive() {
            return connected && super.isActive();
        }
    }

    /** Gives every session an embedded upstream channel; optionally holds the connect until the test says. */
    private static final class Connector implements UpstreamConnector {
        final List<EmbeddedChannel> opened = new ArrayList<>();
        final List<InetSocketAddress> targets = new ArrayList<>();
        final List<ChannelPromise> promises = new ArrayList<>();
        boolean deferConnect;

        @Override
        public ChannelFuture connect(EventLoop loop, ChannelHandler handler, InetSocketAddress target,
                                     InetSocketAddress local) {
            ConnectingChannel upstream = new ConnectingChannel(handler, !deferConnect);
            opened.add(upstream);
            targets.add(target);
            if (!deferConnect) {
                return upstream.newSucceededFuture();
            }
            ChannelPromise promise = upstream.newPromise();
            promise.addListener(f -> upstream.connected = f.isSuccess());
            promises.add(promise);
            return promise;
        }
    }
}
