package io.vpnlb.dataplane.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * Cost of {@link DatagramClassifier#classify} per datagram, the first thing the listener does with every datagram
 * of an IKE or NAT-T port. Buffers are pooled direct buffers, as the epoll and io_uring transports hand them to
 * the handler. Expect {@code gc.alloc.rate.norm} of 0 B/op ({@code -prof gc}).
 *
 * <ul>
 *   <li>{@code ikeOnIkePort}: an IKE message of {@code size} bytes on UDP 500 (no marker).</li>
 *   <li>{@code ikeBehindMarker}: the non-ESP marker and an IKE message on UDP 4500.</li>
 *   <li>{@code esp}: ESP in UDP, SPI 0x1000_0001 (the bulk of the traffic).</li>
 *   <li>{@code keepalive}: one 0xFF byte (independent of {@code size}).</li>
 *   <li>{@code malformed}: an IKE header whose Length field disagrees with the datagram (the check that reads
 *       the most before it drops).</li>
 * </ul>
 */
@State(Scope.Thread)
@Fork(value = 2, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DatagramClassifierBenchmark {

    static final long INITIATOR_SPI = 0x0123_4567_89AB_CDEFL;
    static final int ESP_SPI = 0x1000_0001;

    @Param({"100", "1400"})
    int size;

    private final DatagramClassifier classifier = new DatagramClassifier();
    private ByteBuf ikeOnIkePort;
    private ByteBuf ikeBehindMarker;
    private ByteBuf esp;
    private ByteBuf keepalive;
    private ByteBuf malformed;

    @Setup
    public void setUp() {
        ikeOnIkePort = ike(size, 0, size);
        int marker = DatagramClassifier.NON_ESP_MARKER_LENGTH;
        ikeBehindMarker = ike(size, marker, size - marker);
        esp = esp(size, ESP_SPI);
        keepalive = PooledByteBufAllocator.DEFAULT.directBuffer(1).writeByte(DatagramClassifier.NAT_KEEPALIVE);
        malformed = ike(size, 0, size + 1);
        check(ikeOnIkePort, false, DatagramKind.IKE);
        check(ikeBehindMarker, true, DatagramKind.IKE);
        check(esp, true, DatagramKind.ESP);
        check(keepalive, true, DatagramKind.KEEPALIVE);
        check(malformed, false, DatagramKind.MALFORMED);
    }

    @TearDown
    public void tearDown() {
        ikeOnIkePort.release();
        ikeBehindMarker.release();
        esp.release();
        keepalive.release();
        malformed.release();
    }

    @Benchmark
    public DatagramKind ikeOnIkePort() {
        return classifier.classify(ikeOnIkePort, false);
    }

    @Benchmark
    public DatagramKind ikeBehindMarker() {
        return classifier.classify(ikeBehindMarker, true);
    }

    @Benchmark
    public int esp() {
        classifier.classify(esp, true);
        return classifier.espSpi();
    }

    @Benchmark
    public DatagramKind keepalive() {
        return classifier.classify(keepalive, true);
    }

    @Benchmark
    public void malformed(Blackhole bh) {
        bh.consume(classifier.classify(malformed, false));
        bh.consume(classifier.malformation());
    }

    private void check(ByteBuf buf, boolean natT, DatagramKind expected) {
        DatagramKind kind = classifier.classify(buf, natT);
        if (kind != expected) {
            throw new IllegalStateException("fixture classified as " + kind + " (" + classifier.malformation()
                    + "), expected " + expected);
        }
    }

    /**
     * A datagram of {@code size} bytes: {@code markerLength} zero bytes, then an IKE_AUTH request header (version
     * 2.0, Encrypted payload next) whose Length field says {@code lengthField}.
     */
    static ByteBuf ike(int size, int markerLength, long lengthField) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(size);
        buf.writeZero(markerLength);
        buf.writeLong(INITIATOR_SPI);
        buf.writeLong(0x7766_5544_3322_1100L);
        buf.writeByte(IkeHeaderFlyweight.PAYLOAD_ENCRYPTED);
        buf.writeByte(0x20);
        buf.writeByte(IkeHeaderFlyweight.EXCHANGE_IKE_AUTH);
        buf.writeByte(IkeHeaderFlyweight.FLAG_INITIATOR);
        buf.writeInt(1);
        buf.writeInt((int) lengthField);
        buf.writeZero(size - buf.writerIndex());
        return buf;
    }

    /** ESP in UDP: SPI, sequence number, then payload up to {@code size} bytes. */
    static ByteBuf esp(int size, int spi) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(size);
        buf.writeInt(spi);
        buf.writeInt(1);
        for (int i = buf.writerIndex(); i < size; i++) {
            buf.writeByte(i);
        }
        return buf;
    }
}
