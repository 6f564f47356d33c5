package io.vpnlb.dataplane.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A third-party program that a test runs as a member (nginx, openssl s_server): started on a loopback port, its
 * output kept for assertions and failure messages, stopped on close.
 */
final class PeerProcess implements AutoCloseable {

    private final Process process;
    private final StringBuffer output = new StringBuffer();

    private PeerProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(() -> {
            byte[] buf = new byte[4096];
            try (InputStream in = process.getInputStream()) {
                for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                    output.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "peer-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code command} and waits until it accepts connections on 127.0.0.1:{@code port}. */
    static PeerProcess start(int port, List<String> command) throws IOException {
        PeerProcess peer = new PeerProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                if (!peer.process.isAlive()) {
                    throw new IllegalStateException(command.get(0) + " exited: " + peer.output());
                }
                try (Socket probe = new Socket()) {
                    probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
                    return true;
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (RuntimeException e) {
            peer.close();
            throw e;
        }
        return peer;
    }

    /**
     * Runs a client program to its end with {@code input} on its stdin, and returns what it printed: stdout, and
     * stderr too when {@code withErrors}.
     */
    static String run(List<String> command, String input, boolean withErrors) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command);
        if (withErrors) {
            builder.redirectErrorStream(true);
        } else {
            builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        }
        Process process = builder.start();
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.US_ASCII));
        }
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        return new String(output, StandardCharsets.UTF_8);
    }

    String output() {
        return output.toString();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
