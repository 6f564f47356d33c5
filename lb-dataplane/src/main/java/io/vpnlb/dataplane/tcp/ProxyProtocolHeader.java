package io.vpnlb.dataplane.tcp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The PROXY protocol version 2 header (pool {@code proxy-protocol: v2}): the first bytes on each connection vpnlb
 * opens to a member, carrying the client's address and port and the VIP address and port the client connected to,
 * so the member sees the real client. Encoded by Netty's {@link HAProxyMessageEncoder}.
 */
final class ProxyProtocolHeader {

    private static final String ENCODER_NAME = "proxy-protocol";

    private ProxyProtocolHeader() {
    }

    /**
     * Writes and flushes the header on {@code member}, ahead of anything written later. Runs on the channel's event
     * loop with no TLS handler in the pipeline yet, so the header goes out as it is.
     */
    static void write(Channel member, InetSocketAddress client, InetSocketAddress vip) {
        ChannelPipeline pipeline = member.pipeline();
        pipeline.addFirst(ENCODER_NAME, HAProxyMessageEncoder.INSTANCE);
        try {
            member.writeAndFlush(message(client, vip), member.voidPromise());
        } finally {
            pipeline.remove(ENCODER_NAME);
        }
    }

    /**
     * The header for a TCP connection from {@code client} to {@code vip}: TCP over IPv4 when both addresses are
     * IPv4, else TCP over IPv6 with an IPv4 address in its IPv4-mapped form.
     */
    static HAProxyMessage message(InetSocketAddress client, InetSocketAddress vip) {
        InetAddress source = client.getAddress();
        InetAddress destination = vip.getAddress();
        boolean ipv4 = source instanceof Inet4Address && destination instanceof Inet4Address;
        return new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY,
                ipv4 ? HAProxyProxiedProtocol.TCP4 : HAProxyProxiedProtocol.TCP6,
                literal(source, ipv4), literal(destination, ipv4), client.getPort(), vip.getPort());
    }

    private static String literal(InetAddress address, boolean ipv4) {
        if (ipv4 || address instanceof Inet6Address) {
            return NetUtil.toAddressString(address);
        }
        return "::ffff:" + address.getHostAddress();
    }
}
