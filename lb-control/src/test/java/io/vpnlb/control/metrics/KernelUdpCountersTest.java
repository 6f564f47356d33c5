package io.vpnlb.control.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class KernelUdpCountersTest {

    @Test
    void countsTheDatagramsAFullReceiveBufferDropped() throws Exception {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/net/snmp")), "needs Linux /proc/net/snmp");
        int sent = 2_000;
        double before = KernelUdpCounters.receiveBufferErrors();
        try (DatagramSocket sink = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             DatagramSocket sender = new DatagramSocket()) {
            sink.setReceiveBufferSize(1);     // the kernel's minimum: room for a few datagrams at most
            byte[] payload = new byte[1_000];
            DatagramPacket datagram = new DatagramPacket(payload, payload.length, sink.getLocalSocketAddress());
            for (int i = 0; i < sent; i++) {
                sender.send(datagram);      // loopback delivers (or drops) within send()
            }
        }
        double after = KernelUdpCounters.receiveBufferErrors();

        // never read: all but the few that fit were dropped (other processes of the namespace can only add)
        assertThat(after - before).isGreaterThanOrEqualTo(sent - 100);
        assertThat(KernelUdpCounters.sendBufferErrors()).isNotNaN();
    }
}
