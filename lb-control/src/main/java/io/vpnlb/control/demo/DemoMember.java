package io.vpnlb.control.demo;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/**
 * A stand-in VPN server for the demonstration: a UDP socket that answers every datagram except a NAT-T
 * keepalive with its own name, so a client can see which member its traffic reached.
 */
public final class DemoMember implements AutoCloseable {

    private final String name;
    private final DatagramSocket socket;
    private final Thread thread;

    public DemoMember(String name, InetSocketAddress address) throws SocketException {
        this.name = name;
        this.socket = new DatagramSocket(address);
        this.thread = new Thread(this::serve, "demo-member-" + name + "-" + address.getPort());
        this.thread.setDaemon(true);
        this.thread.start();
    }

    public String name() {
        return name;
    }

    private void serve() {
        byte[] buffer = new byte[65_535];
        byte[] answer = name.getBytes(StandardCharsets.US_ASCII);
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (!socket.isClosed()) {
            try {
                packet.setData(buffer);
                socket.receive(packet);
                if (packet.getLength() == 1 && buffer[0] == (byte) 0xFF) {
                    continue;
                }
                socket.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
