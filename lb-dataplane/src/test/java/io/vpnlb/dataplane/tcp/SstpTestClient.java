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

    /** How a session ended. */
    public record Outcome(String httpStatusLine, int ackHashBitmask, boolean aborted, boolean echoed, byte[] certificateHash) {
    }

    private SstpTestClient() {
    }

    public static Outcome run(SSLContext context, InetSocketAddress address) throws Exception {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(address.getAddress(),
                address.getPort())) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            X509Certificate seen = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(seen.getEncoded());
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            out.write((SstpTestMember.REQUEST_LINE + "\r\nSSTPCORRELATIONID: {" + UUID.randomUUID()
                    + "}\r\nContent-Length: 18446744073709551615\r\nHost: vpn.test\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = SstpTestMember.readHead(in);
            String status = head == null ? null : head.substring(0, head.indexOf("\r\n"));
            if (status == null || !status.startsWith("HTTP/1.1 200")) {
                return new Outcome(status, 0, false, false, hash);
            }
            out.write(new byte[] {0x10, 0x01, 0, 14, 0, 1, 0, 1, 0, 1, 0, 6, 0, 1}); // CALL_CONNECT_REQUEST, PPP
            out.flush();
            byte[] ack = SstpTestMember.readPacket(in);
            int bitmask = ack[15] & 0xFF;
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
            System.arraycopy(hash, 0, connected, 48, 32);
            // Compound MAC (80..111) stays zero: without PPP there is no key; the test member does not check it.
            out.write(connected);
            byte[] data = "ppp-frame-stand-in".getBytes(StandardCharsets.US_ASCII);
            byte[] packet = new byte[4 + data.length];
            packet[0] = 0x10;
            packet[3] = (byte) packet.length;
            System.arraycopy(data, 0, packet, 4, data.length);
            out.write(packet);
            out.flush();
            byte[] reply = SstpTestMember.readPacket(in);
            if (reply == null) {
                return new Outcome(status, bitmask, false, false, hash);
            }
            boolean control = (reply[1] & 1) != 0;
            if (control && reply[5] == 5) {
                return new Outcome(status, bitmask, true, false, hash);
            }
            return new Outcome(status, bitmask, false, Arrays.equals(reply, packet), hash);
        }
    }
}
