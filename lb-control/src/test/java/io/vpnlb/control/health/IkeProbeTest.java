package io.vpnlb.control.health;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class IkeProbeTest {

    private final List<DatagramSocket> sockets = new ArrayList<>();

    @AfterEach
    void close() {
        sockets.forEach(DatagramSocket::close);
    }

    @Test
    void theProbeIsAWellFormedIkeSaInitRequest() {
        byte[] request = new IkeProbe().ikeSaInit(0x0102030405060708L);
        ByteBuffer buf = ByteBuffer.wrap(request);

        assertThat(buf.getLong(0)).isEqualTo(0x0102030405060708L);
        assertThat(buf.getLong(8)).isZero();
        assertThat(buf.get(16)).isEqualTo((byte) IkeProbe.PAYLOAD_SA);
        assertThat(buf.get(17)).isEqualTo((byte) 0x20);
        assertThat(buf.get(18)).isEqualTo((byte) IkeProbe.EXCHANGE_IKE_SA_INIT);
        assertThat(buf.get(19)).isEqualTo((byte) IkeProbe.FLAG_INITIATOR);
        assertThat(buf.getInt(24)).isEqualTo(request.length);
        // Walk the payload chain: SA, KE (Curve25519, 32 bytes), Nonce (32 bytes), and it ends exactly.
        int next = buf.get(16) & 0xFF;
        int position = 28;
        List<Integer> chain = new ArrayList<>();
        while (next != 0) {
            chain.add(next);
            int length = buf.getShort(position + 2) & 0xFFFF;
            if (next == IkeProbe.PAYLOAD_KE) {
                assertThat(buf.getShort(position + 4)).isEqualTo((short) IkeProbe.DH_CURVE25519);
                assertThat(length).isEqualTo(8 + 32);
            }
            if (next == IkeProbe.PAYLOAD_NONCE) {
                assertThat(length).isEqualTo(4 + IkeProbe.NONCE_LENGTH);
            }
            next = buf.get(position) & 0xFF;
            position += length;
        }
        assertThat(chain).containsExactly(IkeProbe.PAYLOAD_SA, IkeProbe.PAYLOAD_KE, IkeProbe.PAYLOAD_NONCE);
        assertThat(position).isEqualTo(request.length);
    }

    @Test
    void aNotifyAnswerCountsAsUp() throws IOException {
        InetSocketAddress responder = responder(IkeProbeTest::noProposalChosen);

        ProbeResult result = new IkeProbe().probe(responder, Duration.ofSeconds(2));

        assertThat(result.up()).isTrue();
        assertThat(result.detail()).isEqualTo("IKE_SA_INIT answered (NO_PROPOSAL_CHOSEN)");
    }

    @Test
    void anAnswerForAnotherSpiIsNotUp() throws IOException {
        InetSocketAddress responder = responder(request -> {
            byte[] answer = noProposalChosen(request);
            answer[0] ^= 1;
            return answer;
        });

        ProbeResult result = new IkeProbe().probe(responder, Duration.ofMillis(300));

        assertThat(result.up()).isFalse();
        assertThat(result.detail()).isEqualTo("no IKE answer within 300ms");
    }

    @Test
    void aClosedPortIsDown() throws IOException {
        DatagramSocket closed = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        InetSocketAddress target = (InetSocketAddress) closed.getLocalSocketAddress();
        closed.close();

        ProbeResult result = new IkeProbe().probe(target, Duration.ofSeconds(2));

        assertThat(result.up()).isFalse();
        assertThat(result.detail()).startsWith("ICMP port unreachable");
    }

    @Test
    void verdictNeedsAResponseFlagAndAMatchingLength() {
        byte[] answer = noProposalChosen(new IkeProbe().ikeSaInit(42));
        assertThat(IkeProbe.verdict(ByteBuffer.wrap(answer), 42)).isEqualTo("NO_PROPOSAL_CHOSEN");

        byte[] noResponseFlag = answer.clone();
        noResponseFlag[19] = IkeProbe.FLAG_INITIATOR;
        assertThat(IkeProbe.verdict(ByteBuffer.wrap(noResponseFlag), 42)).isNull();

        byte[] shortened = java.util.Arrays.copyOf(answer, answer.length - 1);
        assertThat(IkeProbe.verdict(ByteBuffer.wrap(shortened), 42)).isNull();
    }

    /** What an IKE daemon answers to proposals it cannot accept (RFC 7296 section 2.7). */
    static byte[] noProposalChosen(byte[] request) {
        ByteBuffer in = ByteBuffer.wrap(request);
        ByteBuffer out = ByteBuffer.allocate(28 + 8);
        out.putLong(in.getLong(0)).putLong(0).put((byte) IkeProbe.PAYLOAD_NOTIFY).put((byte) 0x20)
                .put((byte) IkeProbe.EXCHANGE_IKE_SA_INIT).put((byte) IkeProbe.FLAG_RESPONSE).putInt(0).putInt(36);
        out.put((byte) 0).put((byte) 0).putShort((short) 8).put((byte) 0).put((byte) 0).putShort((short) 14);
        return out.array();
    }

    private InetSocketAddress responder(java.util.function.UnaryOperator<byte[]> answer) throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        sockets.add(socket);
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[65_535];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                    socket.receive(packet);
                    byte[] reply = answer.apply(java.util.Arrays.copyOf(buffer, packet.getLength()));
                    socket.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
                } catch (IOException e) {
                    return;
                }
            }
        }, "ike-responder");
        thread.setDaemon(true);
        thread.start();
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }
}
