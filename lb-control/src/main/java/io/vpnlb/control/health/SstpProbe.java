package io.vpnlb.control.health;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.util.ReferenceCountUtil;
import io.vpnlb.config.StatusRange;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The {@code sstp} check: {@code HEAD /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1} (the request F5's
 * SSTP monitor sends) over plain HTTP or HTTPS, UP when the status is one of {@code expect-status} (by default
 * 200-299 and 401: RRAS answers 401 to a request without credentials). The status line and the headers are
 * decoded by Netty's HTTP decoder with bounded sizes; anything that is not an HTTP answer, or no complete answer
 * within the timeout, is DOWN.
 */
final class SstpProbe implements HealthProbe {

    static final String PATH = "/sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/";
    static final int MAX_STATUS_LINE = 4096;
    static final int MAX_HEADERS = 8192;
    private static final int PREVIEW_BYTES = 32;

    private final boolean https;
    private final List<StatusRange> expected;
    private final ScheduledExecutorService timer;

    /**
     * @param https    send the request over TLS
     * @param expected the statuses that count as UP
     * @param timer    runs the watchdog that ends a probe at its timeout
     */
    SstpProbe(boolean https, List<StatusRange> expected, ScheduledExecutorService timer) {
        this.https = https;
        this.expected = List.copyOf(expected);
        this.timer = timer;
    }

    boolean https() {
        return https;
    }

    @Override
    public ProbeResult probe(InetSocketAddress target, Duration timeout) {
        ProbeConnection connection;
        try {
            connection = ProbeConnection.open(target, timeout, https, timer);
        } catch (ProbeConnection.Failure e) {
            return e.result();
        }
        try (connection) {
            connection.write(request(target));
            return answer(connection);
        } catch (IOException e) {
            return connection.failed(e, name() + " exchange", "SSTP answer to HEAD");
        }
    }

    /** {@code SSTP HEAD over HTTP} or {@code ... HTTPS}: how details start. */
    private String name() {
        return "SSTP HEAD over " + (https ? "HTTPS" : "HTTP");
    }

    static byte[] request(InetSocketAddress target) {
        return ("HEAD " + PATH + " HTTP/1.1\r\nHost: " + Probes.format(target)
                + "\r\nUser-Agent: vpnlb-health-check\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private ProbeResult answer(ProbeConnection connection) throws IOException {
        EmbeddedChannel decoder = new EmbeddedChannel(new HttpResponseDecoder(new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_STATUS_LINE)
                .setMaxHeaderSize(MAX_HEADERS)));
        byte[] chunk = new byte[2048];
        Received received = new Received();
        try {
            while (true) {
                int n = connection.read(chunk);
                if (n < 0) {
                    decoder.finish();
                    ProbeResult result = verdict(decoder, connection, received);
                    if (result != null) {
                        return result;
                    }
                    return down(connection, received.count == 0 ? "the member closed the connection without answering"
                            : "the member closed the connection after " + received.count + " byte(s) without a "
                            + "complete HTTP answer: " + received);
                }
                received.add(chunk, n);
                decoder.writeInbound(Unpooled.copiedBuffer(chunk, 0, n));
                ProbeResult result = verdict(decoder, connection, received);
                if (result != null) {
                    return result;
                }
            }
        } finally {
            decoder.finishAndReleaseAll();
        }
    }

    /** The verdict on the first final response the decoder produced, or {@code null} while there is none. */
    private ProbeResult verdict(EmbeddedChannel decoder, ProbeConnection connection, Received received) {
        for (Object message; (message = decoder.readInbound()) != null; ) {
            try {
                if (!(message instanceof HttpResponse response)) {
                    continue;
                }
                if (response.decoderResult().isFailure()) {
                    return down(connection, "the answer is not HTTP ("
                            + printable(String.valueOf(response.decoderResult().cause().getMessage())) + "): "
                            + received);
                }
                int status = response.status().code();
                if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL && status != 101) {
                    continue; // an interim answer: the final one follows
                }
                boolean up = StatusRange.anyContains(expected, status);
                return new ProbeResult(up, name() + " answered " + status
                        + (up ? "" : ", expected " + expected(expected)), connection.memberCertificate());
            } finally {
                ReferenceCountUtil.release(message);
            }
        }
        return null;
    }

    private ProbeResult down(ProbeConnection connection, String what) {
        return new ProbeResult(false, name() + ": " + what, connection.memberCertificate());
    }

    /** How much the member sent and how it began, to show what came instead of HTTP. */
    private final class Received {

        private final byte[] start = new byte[PREVIEW_BYTES];
        private int count;

        void add(byte[] chunk, int length) {
            if (count < PREVIEW_BYTES) {
                System.arraycopy(chunk, 0, start, count, Math.min(length, PREVIEW_BYTES - count));
            }
            count += length;
        }

        /** The first bytes, and a hint when they are a TLS record where plain HTTP was expected. */
        @Override
        public String toString() {
            boolean tls = !https && count >= 2 && (start[0] == 0x15 || start[0] == 0x16) && start[1] == 0x03;
            return printable(start, Math.min(count, PREVIEW_BYTES))
                    + (tls ? "; the member answered with TLS (use https: true)" : "");
        }
    }

    /** {@code 200-299, 401}. */
    static String expected(List<StatusRange> ranges) {
        StringJoiner text = new StringJoiner(", ");
        for (StatusRange range : ranges) {
            text.add(range.toString());
        }
        return text.toString();
    }

    private static String printable(String text) {
        return printable(text.getBytes(StandardCharsets.ISO_8859_1), Math.min(text.length(), 120));
    }

    /** The bytes in quotes, printable ASCII as is and everything else as {@code \xNN}. */
    static String printable(byte[] bytes, int length) {
        StringBuilder text = new StringBuilder(length + 2).append('"');
        for (int i = 0; i < length; i++) {
            int b = bytes[i] & 0xFF;
            if (b >= 0x20 && b < 0x7F && b != '"' && b != '\\') {
                text.append((char) b);
            } else {
                text.append(String.format("\\x%02x", b));
            }
        }
        return text.append('"').toString();
    }
}
