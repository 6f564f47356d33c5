package io.vpnlb.control.health;

import io.vpnlb.config.cert.CertificateFixtures;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code openssl s_server -www} on a free loopback port, with a certificate made for the test. */
final class OpensslServer implements AutoCloseable {

    private final Process process;
    private final int port;

    private OpensslServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static boolean available() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, "openssl"))) {
                return true;
            }
        }
        return false;
    }

    /** Starts s_server with {@code certificate}; {@code options} are added to the command line. */
    static OpensslServer start(Path dir, CertificateFixtures.Issued certificate, String... options)
            throws IOException {
        Path cert = CertificateFixtures.write(dir, "server.crt", CertificateFixtures.pem(certificate.certificate()));
        Path key = CertificateFixtures.write(dir, "server.key",
                CertificateFixtures.pem(certificate.keys().getPrivate()));
        List<String> command = new ArrayList<>(List.of("openssl", "s_server", "-accept", "127.0.0.1:0",
                "-cert", cert.toString(), "-key", key.toString(), "-www"));
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.US_ASCII));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = output.readLine()) != null; ) {
            seen.append(line).append('\n');
            if (line.startsWith("ACCEPT ")) {
                int port = Integer.parseInt(line.substring(line.lastIndexOf(':') + 1).strip());
                Thread drain = new Thread(() -> {
                    try {
                        while (output.readLine() != null) {
                            // s_server's log is not needed
                        }
                    } catch (IOException ignored) {
                        // the process ended
                    }
                }, "openssl-s_server-output");
                drain.setDaemon(true);
                drain.start();
                return new OpensslServer(process, port);
            }
        }
        throw new IOException("openssl s_server did not start: " + seen);
    }

    int port() {
        return port;
    }

    @Override
    public void close() {
        stop(process);
    }

    /** Ends {@code process}: SIGTERM, then SIGKILL if it is still there after 5 s. */
    static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
