package io.vpnlb.control.health;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * TCP checks: a plain connect ({@code tcp}), or an SSTP check ({@code sstp}) that sends F5's
 * {@code HEAD /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/} and counts any HTTP status as UP (RRAS answers 401
 * without credentials, which Kemp also counts as up). The SSTP check speaks plain HTTP, the way a member behind
 * TLS offload listens.
 */
final class TcpProbe implements HealthProbe {

    static final String SSTP_PATH = "/sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/";

    private final boolean sstp;

    TcpProbe(boolean sstp) {
        this.sstp = sstp;
    }

    @Override
    public ProbeResult probe(InetSocketAddress target, Duration timeout) {
        int millis = (int) Math.max(1, timeout.toMillis());
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(target, millis);
            if (!sstp) {
                return ProbeResult.up("TCP connect succeeded");
            }
            int left = (int) Math.max(1, millis - (System.nanoTime() - start) / 1_000_000);
            socket.setSoTimeout(left);
            OutputStream out = socket.getOutputStream();
            out.write(("HEAD " + SSTP_PATH + " HTTP/1.1\r\nHost: " + target.getAddress().getHostAddress()
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = statusLine(socket.getInputStream());
            if (status.startsWith("HTTP/1.") && status.length() >= 12) {
                return ProbeResult.up("SSTP HEAD answered " + status.substring(9, 12));
            }
            return ProbeResult.down("SSTP HEAD answered without an HTTP status line");
        } catch (SocketTimeoutException e) {
            return ProbeResult.down((sstp ? "no SSTP answer" : "no TCP connect") + " within " + Probes.format(timeout));
        } catch (IOException e) {
            return ProbeResult.down("TCP connect to " + Probes.format(target) + " failed: " + e.getMessage());
        }
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c; (c = in.read()) != -1 && c != '\n' && line.length() < 200; ) {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }
}
