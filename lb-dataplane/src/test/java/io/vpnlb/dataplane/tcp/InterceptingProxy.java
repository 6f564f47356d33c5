package io.vpnlb.dataplane.tcp;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A TLS-inspecting hop like a corporate firewall: terminates the client's TLS with its own certificate and opens
 * its own TLS connection to vpnlb, passing the plaintext through. The client sees the inspector's certificate.
 */
final class InterceptingProxy {

    private InterceptingProxy() {
    }

    static BlockingMember start(SSLContext ownCertificate, SSLContext upstreamTrust, InetSocketAddress target)
            throws IOException {
        SSLServerSocket server = (SSLServerSocket) ownCertificate.getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        return new BlockingMember("interceptor", server, (client, member) -> {
            try (SSLSocket upstream = (SSLSocket) upstreamTrust.getSocketFactory().createSocket(target.getAddress(),
                    target.getPort())) {
                Thread back = new Thread(() -> pipe(upstream, client));
                back.setDaemon(true);
                back.start();
                pipe(client, upstream);
                try {
                    back.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
    }

    private static void pipe(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                out.flush();
            }
            to.close();
        } catch (IOException ignored) {
            // one side closed
        }
    }
}
