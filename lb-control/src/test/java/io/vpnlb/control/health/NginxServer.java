package io.vpnlb.control.health;

import io.vpnlb.config.cert.CertificateFixtures;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.awaitility.Awaitility.await;

/**
 * nginx on a free loopback port, answering the SSTP path with a fixed status, over plain HTTP or HTTPS (the real
 * HTTP server of these tests; nginx, unlike the JDK's server, takes the braces of the SSTP path as RRAS does).
 */
final class NginxServer implements AutoCloseable {

    private final Process process;
    private final InetSocketAddress address;

    private NginxServer(Process process, InetSocketAddress address) {
        this.process = process;
        this.address = address;
    }

    static boolean available() {
        return Files.isExecutable(Path.of("/usr/sbin/nginx"));
    }

    /**
     * Starts nginx answering {@code status} on {@code /sra_{...}/} (404 elsewhere).
     *
     * @param certificate the certificate for HTTPS, or {@code null} for plain HTTP
     */
    static NginxServer start(Path dir, int status, CertificateFixtures.Issued certificate) throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Path root = Files.createTempDirectory(dir, "nginx");
        String tls = "";
        if (certificate != null) {
            Path cert = CertificateFixtures.write(root, "member.crt",
                    CertificateFixtures.pem(certificate.certificate()));
            Path key = CertificateFixtures.write(root, "member.key",
                    CertificateFixtures.pem(certificate.keys().getPrivate()));
            tls = " ssl; ssl_certificate " + cert + "; ssl_certificate_key " + key + "; ssl_protocols TLSv1.2 TLSv1.3";
        }
        String temp = root.toString();
        String conf = String.join("\n",
                "daemon off;",
                "master_process off;",
                "pid " + temp + "/nginx.pid;",
                "error_log " + temp + "/error.log;",
                "events { worker_connections 64; }",
                "http {",
                "  access_log off;",
                "  client_body_temp_path " + temp + "/body; proxy_temp_path " + temp + "/proxy;",
                "  fastcgi_temp_path " + temp + "/fastcgi; uwsgi_temp_path " + temp + "/uwsgi;",
                "  scgi_temp_path " + temp + "/scgi;",
                "  server {",
                "    listen 127.0.0.1:" + port + tls + ";",
                "    location = \"/sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/\" { return " + status + "; }",
                "    location / { return 404; }",
                "  }",
                "}",
                "");
        Path file = CertificateFixtures.write(root, "nginx.conf", conf);
        Process process = new ProcessBuilder("/usr/sbin/nginx", "-p", temp, "-c", file.toString(),
                "-e", temp + "/error.log").redirectErrorStream(true)
                .redirectOutput(root.resolve("output.log").toFile()).start();
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        NginxServer server = new NginxServer(process, address);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("nginx stopped: " + Files.readString(root.resolve("error.log")));
                }
                try (Socket probe = new Socket()) {
                    probe.connect(address, 200);
                    return true;
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    InetSocketAddress address() {
        return address;
    }

    @Override
    public void close() {
        OpensslServer.stop(process);
    }
}
