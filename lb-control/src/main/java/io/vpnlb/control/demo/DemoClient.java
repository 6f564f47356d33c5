package io.vpnlb.control.demo;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A simulated IKEv2 client for the demonstration, from its own loopback address: an IKE_SA_INIT on the IKE
 * port, then on the NAT-T port an IKE message behind the non-ESP marker, ESP-in-UDP datagrams and a NAT
 * keepalive, as a client behind NAT does after IKE floats to UDP 4500.
 */
public final class DemoClient {

    static final int IKE_HEADER_LENGTH = 28;
    static final byte IKE_VERSION_2 = 0x20;
    static final byte IKE_SA_INIT = 34;
    static final byte IKE_AUTH = 35;
    static final byte FLAG_INITIATOR = 0x08;

    private static final int ATTEMPTS = 3;
    private static final int TIMEOUT_MILLIS = 1000;

    private final InetAddress source;
    private final InetSocketAddress ikePort;
    private final InetSocketAddress natTPort;
    private final int espPackets;

    /** The member names that answered on each port; {@code null} when none did. */
    private String ikeMember;
    private String natTMember;
    private boolean natTConsistent = true;

    public DemoClient(InetAddress source, InetSocketAddress ikePort, InetSocketAddress natTPort, int espPackets) {
        this.source = source;
        this.ikePort = ikePort;
        this.natTPort = natTPort;
        this.espPackets = espPackets;
    }

    public InetAddress source() {
        return source;
    }

    public String ikeMember() {
        return ikeMember;
    }

    public String natTMember() {
        return natTMember;
    }

    /** True when both ports answered and every answer came from the same member. */
    public boolean consistent() {
        return ikeMember != null && natTConsistent && ikeMember.equals(natTMember);
    }

    public void run() throws IOException {
        long spiI = ThreadLocalRandom.current().nextLong() | 1;
        try (DatagramSocket ike = new DatagramSocket(new InetSocketAddress(source, 0))) {
            ikeMember = exchange(ike, ikePort, ikeHeader(spiI, 0, IKE_SA_INIT, 0, false));
        }
        long spiR = ThreadLocalRandom.current().nextLong() | 1;
        try (DatagramSocket natT = new DatagramSocket(new InetSocketAddress(source, 0))) {
            natTMember = exchange(natT, natTPort, ikeHeader(spiI, spiR, IKE_AUTH, 1, true));
            int espSpi = ThreadLocalRandom.current().nextInt() | 0x100;
            for (int seq = 1; seq <= espPackets; seq++) {
                String member = exchange(natT, natTPort, esp(espSpi, seq));
                if (member == null || !member.equals(natTMember)) {
                    natTConsistent = false;
                }
            }
            byte[] keepalive = {(byte) 0xFF};
            natT.send(new DatagramPacket(keepalive, 1, natTPort));
        }
    }

    private static String exchange(DatagramSocket socket, InetSocketAddress to, byte[] request) throws IOException {
        socket.setSoTimeout(TIMEOUT_MILLIS);
        byte[] buffer = new byte[2048];
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            socket.send(new DatagramPacket(request, request.length, to));
            DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(reply);
                return new String(buffer, 0, reply.getLength(), StandardCharsets.US_ASCII);
            } catch (SocketTimeoutException e) {
                // UDP: try again
            }
        }
        return null;
    }

    /** An IKEv2 header (RFC 7296 3.1) with no payloads, optionally behind the 4-byte non-ESP marker. */
    static byte[] ikeHeader(long spiI, long spiR, byte exchange, int messageId, boolean nonEspMarker) {
        int offset = nonEspMarker ? 4 : 0;
        ByteBuffer buf = ByteBuffer.allocate(offset + IKE_HEADER_LENGTH);
        buf.position(offset);
        buf.putLong(spiI).putLong(spiR).put((byte) 0).put(IKE_VERSION_2).put(exchange).put(FLAG_INITIATOR)
                .putInt(messageId).putInt(IKE_HEADER_LENGTH);
        return buf.array();
    }

    /** An ESP-in-UDP datagram (RFC 3948): non-zero SPI, sequence number, 64 bytes of opaque payload. */
    static byte[] esp(int spi, int sequence) {
        ByteBuffer buf = ByteBuffer.allocate(8 + 64);
        buf.putInt(spi).putInt(sequence);
        return buf.array();
    }
}
