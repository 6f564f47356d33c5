package io.vpnlb.control.health;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A generic UDP check: sends a short datagram and counts any answer as UP. An ICMP port unreachable, or silence
 * until the timeout, is DOWN. Only for services whose members answer arbitrary datagrams; IKE members should use
 * the {@code ike} check.
 */
final class UdpProbe implements HealthProbe {

    private static final byte[] PAYLOAD = "vpnlb health check".getBytes(StandardCharsets.US_ASCII);

    @Override
    public ProbeResult probe(InetSocketAddress target, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.connect(target);
            channel.write(ByteBuffer.wrap(PAYLOAD));
            if (Probes.receive(channel, ByteBuffer.allocate(2048), deadline)) {
                return ProbeResult.up("UDP answered");
            }
            return ProbeResult.down("no UDP answer within " + Probes.format(timeout));
        } catch (PortUnreachableException e) {
            return ProbeResult.down("ICMP port unreachable on " + Probes.format(target));
        } catch (IOException e) {
            return ProbeResult.down("UDP probe failed: " + e.getMessage());
        }
    }
}
