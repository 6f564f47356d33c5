package io.vpnlb.dataplane.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ProxyProtocolHeaderTest {

    /** Writes the header, then {@code data}, on a fresh channel, and returns the bytes that went out. */
    private static String wire(InetSocketAddress client, InetSocketAddress vip, String data) {
        EmbeddedChannel member = new EmbeddedChannel();
        ProxyProtocolHeader.write(member, client, vip);
        member.writeAndFlush(Unpooled.copiedBuffer(data, StandardCharsets.US_ASCII));
        assertThat(member.pipeline().names()).as("the encoder left").doesNotContain("proxy-protocol");
        ByteBuf out = Unpooled.buffer();
        for (ByteBuf part = member.readOutbound(); part != null; part = member.readOutbound()) {
            out.writeBytes(part);
            part.release();
        }
        assertThat(member.finish()).isFalse();
        String hex = ByteBufUtil.hexDump(out);
        out.release();
        return hex;
    }

    @Test
    void ipv4HeaderAsHaproxyDocumentsItThenTheData() {
        // PROXY protocol v2 (haproxy doc/proxy-protocol.txt 2.2): signature, version 2 + PROXY, TCP over IPv4,
        // 12 address bytes: source 192.0.2.10, destination 198.51.100.1, source port 50000, destination port 443.
        assertThat(wire(new InetSocketAddress("192.0.2.10", 50_000), new InetSocketAddress("198.51.100.1", 443),
                "hi")).isEqualTo("0d0a0d0a000d0a515549540a" + "21" + "11" + "000c"
                + "c000020a" + "c6336401" + "c350" + "01bb" + "6869");
    }

    private static HAProxyMessage decode(InetSocketAddress client, InetSocketAddress vip) {
        EmbeddedChannel member = new EmbeddedChannel();
        ProxyProtocolHeader.write(member, client, vip);
        EmbeddedChannel reader = new EmbeddedChannel(new HAProxyMessageDecoder());
        reader.writeInbound((ByteBuf) member.readOutbound());
        HAProxyMessage message = reader.readInbound();
        assertThat(reader.finish()).isFalse();
        assertThat(member.finish()).isFalse();
        return message;
    }

    @Test
    void ipv6AndMixedFamiliesGoAsTcpOverIpv6() {
        HAProxyMessage v6 = decode(new InetSocketAddress("2001:db8::10", 40_000),
                new InetSocketAddress("2001:db8::1", 443));
        try {
            assertThat(v6.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.TCP6);
            assertThat(v6.sourceAddress()).isEqualTo("2001:db8:0:0:0:0:0:10");
            assertThat(v6.destinationAddress()).isEqualTo("2001:db8:0:0:0:0:0:1");
            assertThat(v6.sourcePort()).isEqualTo(40_000);
            assertThat(v6.destinationPort()).isEqualTo(443);
        } finally {
            v6.release();
        }
        HAProxyMessage mixed = decode(new InetSocketAddress("192.0.2.10", 40_001),
                new InetSocketAddress("2001:db8::1", 443));
        try {
            assertThat(mixed.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.TCP6);
            assertThat(mixed.sourceAddress()).isEqualTo("0:0:0:0:0:ffff:c000:20a");
            assertThat(mixed.sourcePort()).isEqualTo(40_001);
        } finally {
            mixed.release();
        }
    }
}
