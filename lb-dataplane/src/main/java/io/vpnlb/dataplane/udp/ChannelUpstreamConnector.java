package io.vpnlb.dataplane.udp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.vpnlb.dataplane.transport.NetTransport;

import java.net.InetSocketAddress;

/** Opens upstream sockets with the running transport, on the session's event loop, without a Bootstrap. */
public final class ChannelUpstreamConnector implements UpstreamConnector {

    private final NetTransport transport;

    public ChannelUpstreamConnector(NetTransport transport) {
        this.transport = transport;
    }

    @Override
    public ChannelFuture connect(EventLoop loop, ChannelHandler handler, InetSocketAddress target,
                                 InetSocketAddress local) {
        DatagramChannel channel = transport.datagramChannelFactory().newChannel();
        UdpChannels.configure(channel);
        if (local != null && local.getPort() != 0) {
            // Transparent mode: bind the client's own address and port, which is not local to this host.
            channel.config().setOption(transport.ipTransparent(), true);
            channel.config().setOption(io.netty.channel.ChannelOption.SO_REUSEADDR, true);
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
}
