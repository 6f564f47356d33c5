package io.vpnlb.control.it;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A UDP server standing in for a VPN server. It answers {@code name|length|sha256} for every datagram, so the
 * client learns which member it reached and whether the payload arrived intact; a request {@code BIG:n}
 * is answered with {@link #bigPayload(int)} of n bytes instead, to check large datagrams on the way back.
 */
final class TestMember implements AutoCloseable {

    private final String name;
    private final DatagramSocket socket;
    private final Thread thread;

    TestMember(String name, InetSocketAddress address) throws SocketException {
        this.name = name;
        this.socket = new DatagramSocket(null);
        this.socket.setReceiveBufferSize(1 << 21);
        this.socket.bind(address);
        this.thread = new Thread(this::serve, "member-" + name + "-" + socket.getLocalPort());
        this.thread.setDaemon(true);
        this.thread.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    String name() {
        return name;
    }

    private void serve() {
        byte[] buffer = new byte[65_535];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (!socket.isClosed()) {
            try {
                packet.setData(buffer);
                socket.receive(packet);
                int length = packet.getLength();
                byte[] answer;
                String text = new String(buffer, 0, Math.min(length, 16), StandardCharsets.US_ASCII);
                if (text.startsWith("BIG:")) {
                    answer = bigPayload(Integer.parseInt(text.substring(4).trim()));
                } else {
                    answer = (name + "|" + length + "|" + sha256(buffer, length)).getBytes(StandardCharsets.US_ASCII);
                }
                socket.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    static String sha256(byte[] data, int length) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(data, 0, length);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * n bytes of a fixed pattern that a truncation or a reordering would change. It starts with a valid ESP SPI
     * (0x001F3E5D, not reserved) so that it passes NAT-T inspection as an ESP datagram.
     */
    static byte[] bigPayload(int n) {
        byte[] payload = new byte[n];
        for (int i = 0; i < n; i++) {
            payload[i] = (byte) (i * 31 + (i >>> 8));
        }
        return payload;
    }

    @Override
    public void close() {
        socket.close();
    }
}
