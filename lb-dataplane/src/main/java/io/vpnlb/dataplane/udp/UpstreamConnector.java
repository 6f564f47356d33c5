package io.vpnlb.dataplane.udp;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;

import java.net.InetSocketAddress;

/**
 * Opens a session's socket toward its member on the session's own event loop. The real one
 * ({@link ChannelUpstreamConnector}) uses the running transport; handler tests give an embedded one.
 */
public interface UpstreamConnector {

    /**
     * Creates a datagram channel on {@code loop} with {@code handler} in its pipeline, registers it, binds it to
     * {@code local} (port 0 = ephemeral; {@code null} = any) and connects it to {@code target}.
     *
     * @return the connect future; its channel is the new upstream channel
     * @throws RuntimeException when no socket can be opened (out of file descriptors, or a transparent socket
     *                          that would clash with another session's); the caller refuses the session
     */
    ChannelFuture connect(EventLoop loop, ChannelHandler handler, InetSocketAddress target, InetSocketAddress local);
}
