package io.vpnlb.dataplane.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ByteProcessor;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.vpnlb.config.cert.CertificateBundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * SSTP awareness where vpnlb sees the plaintext (tls.mode terminate and reencrypt), between the TLS handler and
 * the proxy:
 * <ul>
 *   <li>The client's request must be {@code SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/
 *       HTTP/1.1}, complete within {@link #REQUEST_TIMEOUT_NANOS} of the TLS handshake, with well-formed header
 *       names and an unambiguous length (no Transfer-Encoding, at most one numeric Content-Length: what Windows
 *       and other SSTP clients send); anything else is answered with an HTTP error (400, 404, 405, 408, 431, 505)
 *       and closed before a member is chosen.</li>
 *   <li>SSTP control packets are followed both ways, data packets skipped. CALL_CONNECT_ACK from the member gives
 *       the hash protocols it accepts; CALL_CONNECTED from the client carries the hash of the certificate the
 *       client saw, compared here with the SHA-256 / SHA-1 of the certificate vpnlb presented. A mismatch means
 *       the client's TLS was intercepted on its way to vpnlb; a member that aborts right after a matching
 *       CALL_CONNECTED has the wrong offload hash configured. Both are counted and logged with what to do.</li>
 *   <li>A client packet with a bad version or length, a control attribute running past its packet, or a stream
 *       that ends inside a packet closes the session ({@link TcpDropReason#SSTP_MALFORMED}).</li>
 * </ul>
 * Bytes are never changed or copied (beyond the small control-packet window of {@link SstpPacketTracker}).
 */
final class SstpInspectionHandler extends ChannelDuplexHandler {

    private static final Logger log = LoggerFactory.getLogger(SstpInspectionHandler.class);

    static final String METHOD = "SSTP_DUPLEX_POST";
    static final String PATH = "/sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/";
    static final String VERSION = "HTTP/1.1";
    /** Request line and headers together may not exceed this. */
    static final int MAX_REQUEST_HEADER_BYTES = 8192;
    /** After the TLS handshake, a client must send its complete request within this time. */
    static final long REQUEST_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final String TRANSFER_ENCODING = "transfer-encoding";
    private static final String CONTENT_LENGTH = "content-length";
    /** Characters that may not appear in a header name. */
    private static final String SEPARATORS = "\"(),/:;<=>?@[\\]{}";
    private static final ByteProcessor FIND_CRLFCRLF = new ByteProcessor() {
        @Override
        public boolean process(byte value) {
            return value != '\n';
        }
    };

    private final TcpService service;
    private final TcpProxyHandler proxy;
    private ByteBuf request;
    private boolean requestDone;
    private ScheduledFuture<?> requestTimeout;
    /** Set by {@link #checkRequest} when it refuses a request for an ambiguous length: what was wrong. */
    private String smugglingShape;

    private final SstpPacketTracker fromClient = new SstpPacketTracker(new SstpPacketTracker.Listener() {
        @Override
        public void control(int type, byte[] packet, int length, int packetLength) {
            clientControl(type, packet, length, packetLength);
        }

        @Override
        public void data() {
        }
    });
    private final SstpPacketTracker fromMember = new SstpPacketTracker(new SstpPacketTracker.Listener() {
        @Override
        public void control(int type, byte[] packet, int length, int packetLength) {
            memberControl(type, packet, length);
        }

        @Override
        public void data() {
            memberDataAfterConnected = bindingMatched;
        }
    });
    private boolean memberHeaderDone;
    private int memberHeaderScanned;
    private int memberHashBitmask;
    private boolean bindingMatched;
    private boolean memberDataAfterConnected;
    private boolean verdictGiven;
    private ChannelHandlerContext ctx;

    SstpInspectionHandler(TcpService service, TcpProxyHandler proxy) {
        this.service = service;
        this.proxy = proxy;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent) {
            // The TLS handler's own timeout covers the handshake; the request's clock starts when it is done.
            if (((SslHandshakeCompletionEvent) event).isSuccess() && !requestDone && requestTimeout == null) {
                requestTimeout = ctx.executor().schedule(this::requestTimedOut, REQUEST_TIMEOUT_NANOS,
                        TimeUnit.NANOSECONDS);
            }
        } else if ((event == ChannelInputShutdownEvent.INSTANCE || event instanceof SslCloseCompletionEvent)
                && requestDone && !fromClient.malformed() && !fromClient.atPacketBoundary() && !proxy.isClosed()) {
            log.debug("[{}] {}: client {} ended its stream inside an SSTP packet", ctx.channel().id(), service.name,
                    proxy.client());
            proxy.drop(TcpDropReason.SSTP_MALFORMED);
        }
        ctx.fireUserEventTriggered(event);
    }

    private void requestTimedOut() {
        requestTimeout = null;
        if (!requestDone) {
            log.debug("[{}] {}: client {} did not complete its request within {} s", ctx.channel().id(),
                    service.name, proxy.client(), TimeUnit.NANOSECONDS.toSeconds(REQUEST_TIMEOUT_NANOS));
            reject(ctx, TcpDropReason.HTTP_REQUEST_TIMEOUT, 408, "Request Timeout");
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ByteBuf buf = (ByteBuf) msg;
        if (requestDone) {
            if (!fromClient.malformed()) {
                fromClient.feed(buf, buf.readerIndex());
                if (fromClient.malformed()) {
                    buf.release();
                    log.debug("[{}] client {} sent a malformed SSTP packet", ctx.channel().id(), proxy.client());
                    proxy.drop(TcpDropReason.SSTP_MALFORMED);
                    return;
                }
            }
            ctx.fireChannelRead(buf);
            return;
        }
        if (request == null) {
            request = buf;
        } else {
            CompositeByteBuf composite;
            if (request instanceof CompositeByteBuf) {
                composite = (CompositeByteBuf) request;
            } else {
                composite = ctx.alloc().compositeBuffer(16);
                composite.addComponent(true, request);
            }
            composite.addComponent(true, buf);
            request = composite;
        }
        int headerEnd = headerEnd(request);
        if (headerEnd < 0) {
            if (request.readableBytes() > MAX_REQUEST_HEADER_BYTES) {
                reject(ctx, TcpDropReason.HTTP_HEADER_TOO_LARGE, 431, "Request Header Fields Too Large");
            }
            return;
        }
        if (headerEnd > MAX_REQUEST_HEADER_BYTES) {
            reject(ctx, TcpDropReason.HTTP_HEADER_TOO_LARGE, 431, "Request Header Fields Too Large");
            return;
        }
        int status = checkRequest(request, headerEnd);
        if (status != 0) {
            TcpDropReason reason = TcpDropReason.HTTP_BAD_REQUEST;
            if (smugglingShape != null) {
                reason = TcpDropReason.HTTP_REQUEST_SMUGGLING;
                log.info("[{}] {}: client {} sent an SSTP request with {}, a request-smuggling shape: answered 400",
                        ctx.channel().id(), service.name, proxy.client(), smugglingShape);
            }
            reject(ctx, reason, status, reasonPhrase(status));
            return;
        }
        requestDone = true;
        cancelTimeout();
        proxy.counters().sstpRequests++;
        ByteBuf whole = request;
        request = null;
        // SSTP packets may follow the request in the same read.
        fromClient.feed(whole, whole.readerIndex() + headerEnd);
        if (fromClient.malformed()) {
            whole.release();
            proxy.drop(TcpDropReason.SSTP_MALFORMED);
            return;
        }
        ctx.fireChannelRead(whole);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!requestDone && request != null && !proxy.isClosed()) {
            ctx.read();
        }
        ctx.fireChannelReadComplete();
    }

    /** The offset just past the blank line that ends the headers, relative to the reader index; -1 if not yet. */
    private static int headerEnd(ByteBuf buf) {
        int start = buf.readerIndex();
        int end = buf.writerIndex();
        int p = start;
        while (p < end) {
            int nl = buf.forEachByte(p, end - p, FIND_CRLFCRLF);
            if (nl < 0) {
                return -1;
            }
            // "\n\r\n" or "\n\n" after this newline ends the header block
            if (nl + 1 < end && buf.getByte(nl + 1) == '\n') {
                return nl + 2 - start;
            }
            if (nl + 2 < end && buf.getByte(nl + 1) == '\r' && buf.getByte(nl + 2) == '\n') {
                return nl + 3 - start;
            }
            p = nl + 1;
        }
        return -1;
    }

    /**
     * 0 when the request line is the SSTP one and the headers are well formed, else the HTTP status to answer (with
     * {@link #smugglingShape} set when the length is ambiguous).
     */
    private int checkRequest(ByteBuf buf, int headerEnd) {
        int start = buf.readerIndex();
        int lineEnd = buf.indexOf(start, start + headerEnd, (byte) '\n');
        if (lineEnd <= start) {
            return 400;
        }
        int length = lineEnd - start;
        if (buf.getByte(lineEnd - 1) == '\r') {
            length--;
        }
        String line = buf.toString(start, length, StandardCharsets.ISO_8859_1);
        int sp1 = line.indexOf(' ');
        int sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
        if (sp1 <= 0 || sp2 < 0 || line.indexOf(' ', sp2 + 1) >= 0) {
            return 400;
        }
        String method = line.substring(0, sp1);
        String path = line.substring(sp1 + 1, sp2);
        String version = line.substring(sp2 + 1);
        if (!version.startsWith("HTTP/")) {
            return 400;
        }
        if (!version.equals(VERSION)) {
            return 505;
        }
        if (!path.equalsIgnoreCase(PATH)) {
            return 404;
        }
        if (!method.equals(METHOD)) {
            return 405;
        }
        // Header lines must be "name: value" with a token as the name (no whitespace before the colon, no folded
        // lines), and the length unambiguous: no Transfer-Encoding, at most one Content-Length, a number.
        boolean contentLength = false;
        int p = lineEnd + 1;
        int end = start + headerEnd;
        while (p < end) {
            int next = buf.indexOf(p, end, (byte) '\n');
            if (next < 0) {
                break;
            }
            int lineEndExclusive = next > p && buf.getByte(next - 1) == '\r' ? next - 1 : next;
            if (lineEndExclusive > p) {
                int colon = buf.indexOf(p, lineEndExclusive, (byte) ':');
                if (colon < 0) {
                    return 400;
                }
                if (named(buf, p, colon, TRANSFER_ENCODING)) {
                    smugglingShape = "a Transfer-Encoding header";
                    return 400;
                }
                if (named(buf, p, colon, CONTENT_LENGTH)) {
                    if (contentLength) {
                        smugglingShape = "more than one Content-Length";
                        return 400;
                    }
                    contentLength = true;
                    if (!digits(buf, colon + 1, lineEndExclusive)) {
                        smugglingShape = "a Content-Length that is not a number";
                        return 400;
                    }
                }
                if (!token(buf, p, colon)) {
                    return 400;
                }
            }
            p = next + 1;
        }
        return 0;
    }

    /** Whether {@code [start, limit)} is {@code name}, ignoring ASCII case and surrounding spaces and tabs. */
    private static boolean named(ByteBuf buf, int start, int limit, String name) {
        int from = trimStart(buf, start, limit);
        int to = trimEnd(buf, from, limit);
        if (to - from != name.length()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.toLowerCase((char) buf.getByte(from + i)) != name.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code [start, limit)} is one or more digits, with optional spaces and tabs around. */
    private static boolean digits(ByteBuf buf, int start, int limit) {
        int from = trimStart(buf, start, limit);
        int to = trimEnd(buf, from, limit);
        if (from == to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            byte b = buf.getByte(i);
            if (b < '0' || b > '9') {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code [from, to)} is an HTTP token (RFC 9110 5.6.2): visible ASCII but no separators. */
    private static boolean token(ByteBuf buf, int from, int to) {
        if (from == to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            byte b = buf.getByte(i);
            if (b <= ' ' || b >= 0x7F || SEPARATORS.indexOf(b) >= 0) {
                return false;
            }
        }
        return true;
    }

    private static int trimStart(ByteBuf buf, int from, int to) {
        int p = from;
        while (p < to && whitespace(buf.getByte(p))) {
            p++;
        }
        return p;
    }

    private static int trimEnd(ByteBuf buf, int from, int to) {
        int p = to;
        while (p > from && whitespace(buf.getByte(p - 1))) {
            p--;
        }
        return p;
    }

    private static boolean whitespace(byte b) {
        return b == ' ' || b == '\t';
    }

    private static String reasonPhrase(int status) {
        switch (status) {
            case 404: return "Not Found";
            case 405: return "Method Not Allowed";
            case 505: return "HTTP Version Not Supported";
            case 431: return "Request Header Fields Too Large";
            default: return "Bad Request";
        }
    }

    private void reject(ChannelHandlerContext ctx, TcpDropReason reason, int status, String phrase) {
        if (proxy.isClosed()) {
            return;
        }
        requestDone = true;
        cancelTimeout();
        if (request != null) {
            request.release();
            request = null;
        }
        log.debug("[{}] {} from {}: answered {} {}", ctx.channel().id(), service.name, proxy.client(), status, phrase);
        proxy.abandon(reason);
        String body = "vpnlb: this address serves SSTP only (" + METHOD + " " + PATH + " " + VERSION + ")\n";
        String response = "HTTP/1.1 " + status + " " + phrase + "\r\n"
                + (status == 405 ? "Allow: " + METHOD + "\r\n" : "")
                + "Content-Type: text/plain\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body;
        ctx.writeAndFlush(ByteBufUtil.writeAscii(ctx.alloc(), response)).addListener(ChannelFutureListener.CLOSE);
    }

    private void cancelTimeout() {
        if (requestTimeout != null) {
            requestTimeout.cancel(false);
            requestTimeout = null;
        }
    }

    // ---- bytes from the member (outbound here) -----------------------------------------------------------------

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf && !fromMember.malformed()) {
            ByteBuf buf = (ByteBuf) msg;
            int from = buf.readerIndex();
            if (!memberHeaderDone) {
                from = skipMemberHeader(buf);
            }
            if (from >= 0) {
                fromMember.feed(buf, from);
            }
        }
        ctx.write(msg, promise);
    }

    /** Skips the member's HTTP response; returns where SSTP packets start in {@code buf}, or -1. */
    private int skipMemberHeader(ByteBuf buf) {
        int start = buf.readerIndex();
        int end = buf.writerIndex();
        // Track the last bytes across writes: look for CRLFCRLF by counting consecutive line-end bytes.
        for (int p = start; p < end; p++) {
            byte b = buf.getByte(p);
            if (b == '\n') {
                memberHeaderScanned = memberHeaderScanned == 1 || memberHeaderScanned == 3 ? memberHeaderScanned + 1
                        : 0;
                if (memberHeaderScanned == 4) {
                    memberHeaderDone = true;
                    return p + 1;
                }
            } else if (b == '\r') {
                memberHeaderScanned = memberHeaderScanned == 0 || memberHeaderScanned == 2 ? memberHeaderScanned + 1
                        : 1;
            } else {
                memberHeaderScanned = 0;
            }
        }
        return -1;
    }

    private void memberControl(int type, byte[] packet, int length) {
        if (type == SstpPacketTracker.CALL_CONNECT_ACK && length > SstpPacketTracker.ACK_HASH_BITMASK_OFFSET) {
            memberHashBitmask = packet[SstpPacketTracker.ACK_HASH_BITMASK_OFFSET] & 0xFF;
        } else if ((type == SstpPacketTracker.CALL_ABORT || type == SstpPacketTracker.CALL_DISCONNECT)
                && bindingMatched && !memberDataAfterConnected && !verdictGiven) {
            verdictGiven = true;
            proxy.counters().cryptoBindingsRejectedByMember++;
            String hash = CertificateBundle.upperHex(proxy.serverTls().sha256());
            String member = proxy.member() == null ? "?" : proxy.member().key();
            String abort = type == SstpPacketTracker.CALL_ABORT ? "CALL_ABORT" : "CALL_DISCONNECT";
            if (service.mode == TcpService.Mode.REENCRYPT) {
                log.warn("[{}] service {}: member {} rejected the crypto binding of client {} ({} right after a "
                                + "CALL_CONNECTED whose certificate hash matched vpnlb's certificate {}): with tls.mode "
                                + "reencrypt the member must present the same certificate as vpnlb (SHA-256 {})",
                        ctx.channel().id(), service.name, member, proxy.client(), abort,
                        proxy.serverTls().certificate().subject(), hash);
            } else {
                log.warn("[{}] service {}: member {} rejected the crypto binding of client {} ({} right after a "
                                + "CALL_CONNECTED whose certificate hash matched vpnlb's certificate {}): set its "
                                + "SHA256CertificateHash to {} (Enable-SSTPOffload -CertificateHash \"{}\" -UseHttp $true)",
                        ctx.channel().id(), service.name, member, proxy.client(), abort,
                        proxy.serverTls().certificate().subject(), hash, hash);
            }
        }
    }

    // ---- bytes from the client ---------------------------------------------------------------------------------

    private void clientControl(int type, byte[] packet, int length, int packetLength) {
        if (type != SstpPacketTracker.CALL_CONNECTED) {
            return;
        }
        if (length < SstpPacketTracker.CONNECTED_LENGTH || packetLength != SstpPacketTracker.CONNECTED_LENGTH) {
            log.debug("[{}] client {}: CALL_CONNECTED of {} bytes (expected {})", ctx.channel().id(), proxy.client(),
                    packetLength, SstpPacketTracker.CONNECTED_LENGTH);
            return;
        }
        int protocol = packet[SstpPacketTracker.CONNECTED_HASH_PROTOCOL_OFFSET] & 0xFF;
        TcpService.ServerTls presented = proxy.serverTls();
        byte[] expected = protocol == SstpPacketTracker.HASH_SHA1 ? presented.sha1() : presented.sha256();
        byte[] seen = Arrays.copyOfRange(packet, SstpPacketTracker.CONNECTED_CERT_HASH_OFFSET,
                SstpPacketTracker.CONNECTED_CERT_HASH_OFFSET + expected.length);
        if (Arrays.equals(seen, expected)) {
            bindingMatched = true;
            proxy.counters().cryptoBindingsMatched++;
            return;
        }
        verdictGiven = true;
        proxy.counters().cryptoBindingsIntercepted++;
        log.warn("[{}] service {}: client {} saw another certificate than vpnlb presents: its CALL_CONNECTED carries "
                        + "{} {} but vpnlb's certificate {} has {}; something between the client and vpnlb "
                        + "intercepts TLS (a TLS-inspecting proxy or firewall on the client's network), and the "
                        + "member will drop this session (SSTP connects, then disconnects). Exempt this VPN host "
                        + "from TLS inspection on the client side{}",
                ctx.channel().id(), service.name, proxy.client(),
                protocol == SstpPacketTracker.HASH_SHA1 ? "SHA-1" : "SHA-256", CertificateBundle.hex(seen),
                presented.certificate().subject(), CertificateBundle.hex(expected),
                memberHashBitmask == 0 ? "" : " (member offered hash bitmask " + memberHashBitmask + ")");
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimeout();
        if (request != null) {
            request.release();
            request = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimeout();
        if (request != null) {
            request.release();
            request = null;
        }
        ctx.fireChannelInactive();
    }
}
