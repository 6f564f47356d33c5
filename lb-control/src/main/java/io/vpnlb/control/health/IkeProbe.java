package io.vpnlb.control.health;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.time.Duration;

/**
 * An IKEv2 health check: sends an IKE_SA_INIT (RFC 7296 section 1.2) with a random initiator SPI, a fresh nonce
 * and a Curve25519 key exchange, offering the algorithms every current IKEv2 daemon supports, and counts any
 * well-formed IKEv2 response carrying the probe's SPI as UP: an SA (the daemon would negotiate), or a notify such
 * as INVALID_KE_PAYLOAD, NO_PROPOSAL_CHOSEN or COOKIE (the daemon is alive and parsing IKE). A generic UDP check
 * cannot tell an IKE daemon from a port that merely exists.
 *
 * <p>The probe never completes the exchange; the member forgets the half-open SA after its own timeout.
 */
final class IkeProbe implements HealthProbe {

    static final int HEADER_LENGTH = 28;
    static final int EXCHANGE_IKE_SA_INIT = 34;
    static final int FLAG_INITIATOR = 0x08;
    static final int FLAG_RESPONSE = 0x20;
    static final int PAYLOAD_SA = 33;
    static final int PAYLOAD_KE = 34;
    static final int PAYLOAD_NONCE = 40;
    static final int PAYLOAD_NOTIFY = 41;
    static final int DH_CURVE25519 = 31;
    static final int NONCE_LENGTH = 32;

    private static final int MAX_RESPONSE = 65_535;

    private final SecureRandom random = new SecureRandom();

    @Override
    public ProbeResult probe(InetSocketAddress target, Duration timeout) {
        long spi = random.nextLong() | 1L;
        byte[] request = ikeSaInit(spi);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.connect(target);
            channel.write(ByteBuffer.wrap(request));
            ByteBuffer response = ByteBuffer.allocate(MAX_RESPONSE);
            while (true) {
                response.clear();
                if (!Probes.receive(channel, response, deadline)) {
                    return ProbeResult.down("no IKE answer within " + Probes.format(timeout));
                }
                response.flip();
                String verdict = verdict(response, spi);
                if (verdict != null) {
                    return ProbeResult.up("IKE_SA_INIT answered (" + verdict + ")");
                }
                // Not an answer to this probe (a late answer to an earlier one): keep waiting.
            }
        } catch (PortUnreachableException e) {
            return ProbeResult.down("ICMP port unreachable: no IKE daemon on " + Probes.format(target));
        } catch (SocketTimeoutException e) {
            return ProbeResult.down("no IKE answer within " + Probes.format(timeout));
        } catch (IOException e) {
            return ProbeResult.down("IKE probe failed: " + e.getMessage());
        }
    }

    /**
     * What the datagram says if it is a well-formed IKEv2 response to the probe with initiator SPI {@code spi}:
     * {@code SA} or the name of the first notify; {@code null} when it is not such a response.
     */
    static String verdict(ByteBuffer response, long spi) {
        int length = response.remaining();
        if (length < HEADER_LENGTH || response.getLong(0) != spi) {
            return null;
        }
        int version = response.get(17) & 0xFF;
        int exchange = response.get(18) & 0xFF;
        int flags = response.get(19) & 0xFF;
        long lengthField = response.getInt(24) & 0xFFFF_FFFFL;
        if (version >>> 4 != 2 || exchange != EXCHANGE_IKE_SA_INIT || (flags & FLAG_RESPONSE) == 0
                || lengthField != length) {
            return null;
        }
        int payload = response.get(16) & 0xFF;
        int position = HEADER_LENGTH;
        while (payload != 0 && position + 4 <= length) {
            int payloadLength = response.getShort(position + 2) & 0xFFFF;
            if (payloadLength < 4 || position + payloadLength > length) {
                return null;
            }
            if (payload == PAYLOAD_SA) {
                return "SA";
            }
            if (payload == PAYLOAD_NOTIFY && payloadLength >= 8) {
                return notifyName(response.getShort(position + 6) & 0xFFFF);
            }
            payload = response.get(position) & 0xFF;
            position += payloadLength;
        }
        return null;
    }

    static String notifyName(int type) {
        switch (type) {
            case 14:
                return "NO_PROPOSAL_CHOSEN";
            case 17:
                return "INVALID_KE_PAYLOAD";
            case 16390:
                return "COOKIE";
            case 7:
                return "INVALID_SYNTAX";
            default:
                return "notify " + type;
        }
    }

    /** IKE_SA_INIT request: header, SA (one IKE proposal), KE (Curve25519), Nonce. */
    byte[] ikeSaInit(long spi) {
        byte[] sa = saPayload();
        byte[] keyExchange = new byte[32];
        random.nextBytes(keyExchange);
        byte[] nonce = new byte[NONCE_LENGTH];
        random.nextBytes(nonce);
        int keLength = 4 + 4 + keyExchange.length;
        int nonceLength = 4 + nonce.length;
        int total = HEADER_LENGTH + sa.length + keLength + nonceLength;
        ByteBuffer buf = ByteBuffer.allocate(total);
        buf.putLong(spi).putLong(0).put((byte) PAYLOAD_SA).put((byte) 0x20).put((byte) EXCHANGE_IKE_SA_INIT)
                .put((byte) FLAG_INITIATOR).putInt(0).putInt(total);
        buf.put(sa);
        buf.put((byte) PAYLOAD_NONCE).put((byte) 0).putShort((short) keLength)
                .putShort((short) DH_CURVE25519).putShort((short) 0).put(keyExchange);
        buf.put((byte) 0).put((byte) 0).putShort((short) nonceLength).put(nonce);
        return buf.array();
    }

    /**
     * SA payload with one IKE proposal: AES-CBC-128/256, AES-GCM-16-256 is left out (it needs a proposal of its
     * own), PRF HMAC-SHA2-256/384, integrity HMAC-SHA2-256-128/384-192, DH Curve25519, ECP-256, MODP-2048.
     */
    private static byte[] saPayload() {
        int[][] transforms = {
            {1, 12, 128}, {1, 12, 256},     // ENCR_AES_CBC with key length
            {2, 5, 0}, {2, 6, 0},           // PRF_HMAC_SHA2_256 / 384
            {3, 12, 0}, {3, 13, 0},         // AUTH_HMAC_SHA2_256_128 / 384_192
            {4, 31, 0}, {4, 19, 0}, {4, 14, 0}, // Curve25519, ECP-256, MODP-2048
        };
        int transformsLength = 0;
        for (int[] t : transforms) {
            transformsLength += t[2] != 0 ? 12 : 8;
        }
        int proposalLength = 8 + transformsLength;
        ByteBuffer buf = ByteBuffer.allocate(4 + proposalLength);
        buf.put((byte) PAYLOAD_KE).put((byte) 0).putShort((short) (4 + proposalLength));
        buf.put((byte) 0).put((byte) 0).putShort((short) proposalLength)
                .put((byte) 1).put((byte) 1).put((byte) 0).put((byte) transforms.length);
        for (int i = 0; i < transforms.length; i++) {
            int[] t = transforms[i];
            int transformLength = t[2] != 0 ? 12 : 8;
            buf.put((byte) (i == transforms.length - 1 ? 0 : 3)).put((byte) 0).putShort((short) transformLength)
                    .put((byte) t[0]).put((byte) 0).putShort((short) t[1]);
            if (t[2] != 0) {
                buf.putShort((short) 0x800E).putShort((short) t[2]); // Key Length attribute, TV format
            }
        }
        return buf.array();
    }
}
