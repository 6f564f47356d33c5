package io.vpnlb.dataplane.tcp;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.UUID;

/**
 * An SSTP client without PPP that computes the crypto binding's certificate hash the way the Windows client does:
 * SHA-256 over the DER encoding of the server certificate it saw in the TLS handshake.
 */
public final class SstpTestClient {

    /** The SSTP request line and headers a Windows client sends. */
    static final String REQUEST = SstpTestMember.REQUEST_LINE + "\r\nSSTPCORRELATIONID: {%s}\r\n"
            + "Content-Length: 18446744073709551615\r\nHost: vpn.test\r\n\r\n";

    /** How a session ended. */
    public record Outcome(String httpStatusLine, int ackHashBitmask, boolean aborted, boolean echoed, byte[] certificateHash) {
    }

    private SstpTestClient() {
    }

    /** One session: handshake, request, CALL_CONNECTED, one data packet; how it went. */
    public static Outcome run(SSLContext context, InetSocketAddress address) throws Exception {
        try (Session session = Session.open(context, address)) {
            if (!session.connected()) {
                return new Outcome(session.httpStatusLine, 0, false, false, session.certificateHash);
            }
            byte[] packet = dataPacket("ppp-frame-stand-in");
            byte[] reply = session.exchange(packet);
            if (reply == null) {
                return new Outcome(session.httpStatusLine, session.ackHashBitmask, false, false,
                        session.certificateHash);
            }
            boolean control = (reply[1] & 1) != 0;
            if (control && reply[5] == 5) {
                return new Outcome(session.httpStatusLine, session.ackHashBitmask, true, false,
                        session.certificateHash);
            }
            return new Outcome(session.httpStatusLine, session.ackHashBitmask, false, Arrays.equals(reply, packet),
                    session.certificateHash);
        }
    }

    /** An SSTP data packet carrying {@code text} as its payload (a stand-in for a PPP frame). */
    static byte[] dataPacket(String text) {
        byte[] data = text.getBytes(StandardCharsets.US_ASCII);
        byte[] packet = new byte[4 + data.length];
        packet[0] = 0x10;
        packet[2] = (byte) (packet.length >> 8);
        packet[3] = (byte) packet.length;
        System.arraycopy(data, 0, packet, 4, data.length);
        return packet;
    }

    /** An SSTP session kept open after CALL_CONNECTED, to exchange data packets with the member. */
    public static final class Session implements AutoCloseable {

        private final SSLSocket socket;
        private final DataInputStream in;
        private final OutputStream out;
        final byte[] certificateHash;
        String httpStatusLine;
        int ackHashBitmask;

        private Session(SSLSocket socket) throws IOException {
            this.socket = socket;
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            try {
                X509Certificate seen = (X509Certificate) socket.getSession().getPeerCertificates()[0];
                certificateHash = MessageDigest.getInstance("SHA-256").digest(seen.getEncoded());
            } catch (java.security.GeneralSecurityException e) {
                throw new IOException(e);
            }
            out = socket.getOutputStream();
            in = new DataInputStream(socket.getInputStream());
        }

        /**
         * Connects, sends the SSTP request and, when the member answers 200, CALL_CONNECT_REQUEST and then
         * CALL_CONNECTED with the hash of the certificate seen (no reply is awaited after it).
         */
        public static Session open(SSLContext context, InetSocketAddress address) throws IOException {
            SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(address.getAddress(),
                    address.getPort());
            try {
                Session session = new Session(socket);
                session.connect();
                return session;
            } catch (IOException | RuntimeException e) {
                socket.close();
                throw e;
            }
        }

        private void connect() throws IOException {
            out.write(String.format(REQUEST, UUID.randomUUID()).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = SstpTestMember.readHead(in);
            httpStatusLine = head == null ? null : head.substring(0, head.indexOf("\r\n"));
            if (!connected()) {
                return;
            }
            out.write(new byte[] {0x10, 0x01, 0, 14, 0, 1, 0, 1, 0, 1, 0, 6, 0, 1}); // CALL_CONNECT_REQUEST, PPP
            out.flush();
            byte[] ack = SstpTestMember.readPacket(in);
            if (ack == null || ack.length < 48) {
                throw new IOException("no CALL_CONNECT_ACK");
            }
            ackHashBitmask = ack[15] & 0xFF;
            byte[] nonce = Arrays.copyOfRange(ack, 16, 48);
            byte[] connected = new byte[112];
            connected[0] = 0x10;
            connected[1] = 0x01;
            connected[3] = 112;
            connected[5] = 4;   // CALL_CONNECTED
            connected[7] = 1;
            connected[9] = 3;   // CRYPTO_BINDING
            connected[11] = 104;
            connected[15] = 2;  // SHA-256
            System.arraycopy(nonce, 0, connected, 16, 32);
            System.arraycopy(certificateHash, 0, connected, 48, 32);
            // Compound MAC (80..111) stays zero: without PPP there is no key; the test member does not check it.
            out.write(connected);
            out.flush();
        }

        /** True when the member answered the request with 200 and the SSTP exchange went on. */
        boolean connected() {
            return httpStatusLine != null && httpStatusLine.startsWith("HTTP/1.1 200");
        }

        /** Sends {@code packet} and returns the next packet from the member, {@code null} at the end of stream. */
        byte[] exchange(byte[] packet) throws IOException {
            out.write(packet);
            out.flush();
            return SstpTestMember.readPacket(in);
        }

        /** True when a data packet with {@code text} comes back unchanged (data flows both ways). */
        boolean echoes(String text) throws IOException {
            byte[] packet = dataPacket(text);
            return Arrays.equals(exchange(packet), packet);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
