package io.vpnlb.control.health;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An SSTP member on loopback, plain (RRAS behind TLS offload, UseHttps=0) or with TLS: answers the health check's
 * {@code HEAD /sra_{...}/} with a status the test sets, and an {@code SSTP_DUPLEX_POST} with RRAS's 200 carrying
 * {@code Server: NAME}, so a client learns which member it reached. Other requests get 400.
 */
public final class SstpStatusMember implements AutoCloseable {

    public static final String PATH = "/sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/";

    private final String name;
    private final ServerSocket socket;
    private final ScriptedServer server;
    /** The status HEAD is answered with. */
    public final AtomicInteger headStatus = new AtomicInteger(401);
    /** The head of the last request. */
    public final AtomicReference<String> lastRequest = new AtomicReference<>();

    private SstpStatusMember(String name, ServerSocket socket) {
        this.name = name;
        this.socket = socket;
        this.server = new ScriptedServer(socket, this::serve);
    }

    /** Plain HTTP on a free loopback port. */
    public static SstpStatusMember plain(String name) throws IOException {
        return new SstpStatusMember(name, new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
    }

    /** HTTPS with {@code context}'s certificate, on {@code port} (0 = a free one). */
    public static SstpStatusMember tls(String name, SSLContext context, int port) throws IOException {
        return new SstpStatusMember(name, context.getServerSocketFactory()
                .createServerSocket(port, 50, InetAddress.getLoopbackAddress()));
    }

    public int port() {
        return socket.getLocalPort();
    }

    public InetSocketAddress address() {
        return server.address();
    }

    private void serve(Socket connection) throws IOException {
        InputStream in = connection.getInputStream();
        OutputStream out = connection.getOutputStream();
        String head = ScriptedServer.readHead(in);
        if (head == null) {
            return;
        }
        lastRequest.set(head);
        if (head.startsWith("HEAD " + PATH + " HTTP/1.1\r\n")) {
            out.write(("HTTP/1.1 " + headStatus.get() + " Status\r\nContent-Length: 0\r\nServer: " + name
                    + "\r\nWWW-Authenticate: Negotiate\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return;
        }
        if (head.startsWith("SSTP_DUPLEX_POST " + PATH + " HTTP/1.1\r\n")) {
            out.write(("HTTP/1.1 200\r\nContent-Length: 18446744073709551615\r\nServer: " + name + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            while (in.read(new byte[1024]) >= 0) {
                // hold the session until the client leaves
            }
            return;
        }
        out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
