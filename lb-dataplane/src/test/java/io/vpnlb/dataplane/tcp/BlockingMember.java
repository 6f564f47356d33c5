package io.vpnlb.dataplane.tcp;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A member on loopback with plain blocking sockets, one thread per connection. Plain: echoes what it reads and,
 * when the client half-closes, writes {@code bye-from-NAME} and closes. TLS (given an SSLContext): answers each
 * read with {@code NAME} (passthrough tests).
 */
public final class BlockingMember implements AutoCloseable {

    public interface Behaviour {
        void serve(Socket socket, BlockingMember member) throws IOException;
    }

    final String name;
    final ServerSocket server;
    public final AtomicInteger connections = new AtomicInteger();
    /** Connections whose client half-closed (EOF read) while the member was still open. */
    public final AtomicInteger eofs = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    public BlockingMember(String name, Behaviour behaviour) throws IOException {
        this(name, new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), behaviour);
    }

    BlockingMember(String name, ServerSocket server, Behaviour behaviour) {
        this.name = name;
        this.server = server;
        acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    connections.incrementAndGet();
                    sockets.add(socket);
                    Thread worker = new Thread(() -> {
                        try (socket) {
                            behaviour.serve(socket, this);
                        } catch (IOException ignored) {
                            // the test decides what a failure means
                        }
                    }, "member-" + name);
                    worker.setDaemon(true);
                    worker.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "member-" + name + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static BlockingMember echo(String name) throws IOException {
        return new BlockingMember(name, (socket, member) -> {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] buf = new byte[16384];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
            member.eofs.incrementAndGet();
            out.write(("bye-from-" + name).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            socket.shutdownOutput();
        });
    }

    static BlockingMember tls(String name, SSLContext context) throws IOException {
        SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        server.setEnabledProtocols(new String[] {"TLSv1.2"});
        return new BlockingMember(name, server, (socket, member) -> {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] buf = new byte[1024];
            while (in.read(buf) > 0) {
                out.write(name.getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        });
    }

    public int port() {
        return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
