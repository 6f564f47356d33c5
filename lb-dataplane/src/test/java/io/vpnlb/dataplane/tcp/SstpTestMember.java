package io.vpnlb.dataplane.tcp;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The project's RRAS-like SSTP member for tests (no PPP): behaves like RRAS with TLS offload and
 * {@code SHA256CertificateHash} configured. It answers SSTP_DUPLEX_POST with 200, CALL_CONNECT_REQUEST with a
 * CALL_CONNECT_ACK carrying a fresh nonce (SHA-1 and SHA-256 offered), checks the certificate hash of
 * CALL_CONNECTED against its configured hash and aborts on a mismatch, as RRAS does; after a good binding it
 * echoes data packets.
 */
public final class SstpTestMember {

    static final String REQUEST_LINE = "SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1";

    /** What the member received, in order, for tests to assert on: request heads and control message types. */
    public static final class Seen {
        public final Queue<String> requests = new ConcurrentLinkedQueue<>();
        public final Queue<Integer> controlTypes = new ConcurrentLinkedQueue<>();
    }

    private SstpTestMember() {
    }

    public static BlockingMember start(String name, byte[] configuredSha256) throws IOException {
        return start(name, configuredSha256, new Seen());
    }

    public static BlockingMember start(String name, byte[] configuredSha256, Seen seen) throws IOException {
        return new BlockingMember(name, (socket, member) -> serve(socket, configuredSha256, seen));
    }

    /** The same member behind TLS (RRAS with UseHttps=1, for tls.mode reencrypt). */
    public static BlockingMember startTls(String name, byte[] configuredSha256, javax.net.ssl.SSLContext context)
            throws IOException {
        return startTls(name, configuredSha256, context, new Seen());
    }

    public static BlockingMember startTls(String name, byte[] configuredSha256, javax.net.ssl.SSLContext context,
                                          Seen seen) throws IOException {
        java.net.ServerSocket server = context.getServerSocketFactory()
                .createServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        return new BlockingMember(name, server, (socket, member) -> serve(socket, configuredSha256, seen));
    }

    private static void serve(Socket socket, byte[] configuredSha256, Seen seen) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        OutputStream out = socket.getOutputStream();
        String head = readHead(in);
        if (head != null) {
            seen.requests.add(head);
        }
        if (head == null || !head.startsWith(REQUEST_LINE + "\r\n")) {
            out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return;
        }
        out.write(("HTTP/1.1 200\r\nContent-Length: 18446744073709551615\r\nServer: Microsoft-HTTPAPI/2.0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        byte[] nonce = new byte[32];
        new SecureRandom().nextBytes(nonce);
        boolean bound = false;
        while (true) {
            byte[] packet = readPacket(in);
            if (packet == null) {
                return;
            }
            boolean control = (packet[1] & 1) != 0;
            if (!control) {
                if (bound) {
                    out.write(packet);
                    out.flush();
                }
                continue;
            }
            int type = ((packet[4] & 0xFF) << 8) | (packet[5] & 0xFF);
            seen.controlTypes.add(type);
            if (type == 1) {
                out.write(connectAck(nonce));
                out.flush();
            } else if (type == 4) {
                byte[] hash = Arrays.copyOfRange(packet, 48, 80);
                boolean nonceOk = Arrays.equals(Arrays.copyOfRange(packet, 16, 48), nonce);
                if (!nonceOk || !Arrays.equals(hash, configuredSha256)) {
                    out.write(abort());
                    out.flush();
                    return;
                }
                bound = true;
            } else if (type == 6) {
                return;
            }
        }
    }

    static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0 || head.length() > 16384) {
                return null;
            }
            head.append((char) b);
        }
        return head.toString();
    }

    static byte[] readPacket(DataInputStream in) throws IOException {
        byte[] header = new byte[4];
        try {
            in.readFully(header);
        } catch (java.io.EOFException e) {
            return null;
        }
        int length = ((header[2] & 0x0F) << 8) | (header[3] & 0xFF);
        byte[] packet = Arrays.copyOf(header, Math.max(length, 4));
        in.readFully(packet, 4, packet.length - 4);
        return packet;
    }

    public static byte[] connectAck(byte[] nonce) {
        byte[] p = new byte[48];
        p[0] = 0x10;
        p[1] = 0x01;
        p[3] = 48;
        p[5] = 2;       // CALL_CONNECT_ACK
        p[7] = 1;       // one attribute
        p[9] = 4;       // CRYPTO_BINDING_REQ
        p[11] = 40;
        p[15] = 3;      // SHA-1 and SHA-256
        System.arraycopy(nonce, 0, p, 16, 32);
        return p;
    }

    static byte[] abort() {
        byte[] p = new byte[20];
        p[0] = 0x10;
        p[1] = 0x01;
        p[3] = 20;
        p[5] = 5;       // CALL_ABORT
        p[7] = 1;
        p[9] = 2;       // STATUS_INFO
        p[11] = 12;
        p[15] = 4;      // attribute id in error: CRYPTO_BINDING
        p[19] = 1;      // ATTRIB_STATUS_...
        return p;
    }
}
