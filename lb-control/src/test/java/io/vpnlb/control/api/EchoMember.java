package io.vpnlb.control.api;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/** A UDP member standing in for a VPN server: answers every datagram with {@code address|payload}. */
final class EchoMember implements AutoCloseable {

    private final String address;
    private final DatagramSocket socket;
    private final Thread thread;

    EchoMember(String address) throws SocketException {
        this.address = address;
        this.socket = new DatagramSocket(null);
        this.socket.setReceiveBufferSize(1 << 21);
        this.socket.bind(new InetSocketAddress(address, 0));
        this.thread = new Thread(this::serve, "echo-member-" + address);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    String address() {
        return address;
    }

    int port() {
        return socket.getLocalPort();
    }

    private void serve() {
        byte[] buffer = new byte[2048];
        byte[] prefix = (address + "|").getBytes(StandardCharsets.US_ASCII);
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (!socket.isClosed()) {
            try {
                packet.setData(buffer);
                socket.receive(packet);
                byte[] answer = new byte[prefix.length + packet.getLength()];
                System.arraycopy(prefix, 0, answer, 0, prefix.length);
                System.arraycopy(buffer, 0, answer, prefix.length, packet.getLength());
                socket.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join(5_000);
    }
}
