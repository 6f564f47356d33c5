package io.vpnlb.dataplane.udp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.vpnlb.dataplane.transport.NetTransport;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Opens upstream sockets with the running transport, on the session's event loop, without a Bootstrap.
 *
 * <p>In transparent mode the socket binds the client's own address and port. Sockets of one client address and
 * port toward different member ports may coexist (SO_REUSEADDR; their 4-tuples differ), but two toward the same
 * member address and port would share a 4-tuple and the kernel would give the member's answers to only one of
 * them, so the second is refused.
 */
public final class ChannelUpstreamConnector implements UpstreamConnector {

    private final NetTransport transport;
    /** Client-and-member pairs of the open transparent sockets, shared by every event loop. */
    private final Set<List<InetSocketAddress>> transparentPairs = ConcurrentHashMap.newKeySet();

    public ChannelUpstreamConnector(NetTransport transport) {
        this.transport = transport;
    }

    @Override
    public ChannelFuture connect(EventLoop loop, ChannelHandler handler, InetSocketAddress target,
                                 InetSocketAddress local) {
        boolean transparent = local != null && local.getPort() != 0;
        List<InetSocketAddress> pair = transparent ? List.of(local, target) : null;
        if (transparent && !transparentPairs.add(pair)) {
            throw new TransparentClashException(local, target);
        }
        DatagramChannel channel = transport.newConnectedDatagramChannel(target.getAddress());
        UdpChannels.configureUpstream(channel);
        if (transparent) {
            // Transparent mode: bind the client's own address and port, which is not local to this host.
            channel.config().setOption(transport.ipTransparent(), true);
            channel.config().setOption(ChannelOption.SO_REUSEADDR, true);
            channel.closeFuture().addListener(f -> transparentPairs.remove(pair));
        }
        channel.pipeline().addLast(handler);
        ChannelPromise connected = channel.newPromise();
        ChannelFuture registered = loop.register(channel);
        // On the owning loop registration completes inline; the connect follows at once.
        if (registered.isDone()) {
            connectRegistered(registered, channel, target, local, connected);
        } else {
            registered.addListener(f -> connectRegistered(registered, channel, target, local, connected));
        }
        return connected;
    }

    private static void connectRegistered(ChannelFuture registered, Channel channel, InetSocketAddress target,
                                          InetSocketAddress local, ChannelPromise connected) {
        if (!registered.isSuccess()) {
            connected.setFailure(registered.cause());
            channel.unsafe().closeForcibly();
            return;
        }
        if (local != null) {
            channel.connect(target, local, connected);
        } else {
            channel.connect(target, connected);
        }
        connected.addListener(f -> {
            if (!f.isSuccess()) {
                channel.close();
            }
        });
    }

    /** A second transparent socket with the same client and member addresses; the session is refused. */
    static final class TransparentClashException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        TransparentClashException(InetSocketAddress client, InetSocketAddress member) {
            super("client " + client + " already has a transparent session to member " + member
                    + " through another listener; the member's answers could not be told apart", null, false, false);
        }
    }
}
