package io.vpnlb.dataplane.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.Recycler;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A member's reply on its way to the client: the datagram buffer received from the member and the client's
 * address, in an envelope that returns to a per-thread pool once the listener socket has written (and released)
 * it, so that a reply allocates nothing.
 *
 * <p>It is a {@link DatagramPacket} because Netty's epoll transport batches only {@code DatagramPacket}s into one
 * {@code sendmmsg}; Netty's datagram channels read an envelope through {@link #content()} and {@link #recipient()},
 * which this class answers from its own fields (the fields of the superclass are final and hold placeholders).
 * Reference counting is the content's: releasing the envelope releases the buffer, and the envelope is pooled
 * again when the buffer is freed.
 */
final class ReplyPacket extends DatagramPacket {

    private static final InetSocketAddress PLACEHOLDER = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private static final Recycler<ReplyPacket> RECYCLER = new Recycler<ReplyPacket>() {
        @Override
        protected ReplyPacket newObject(Handle<ReplyPacket> handle) {
            return new ReplyPacket(handle);
        }
    };

    private final Recycler.Handle<ReplyPacket> handle;
    private ByteBuf content;
    private InetSocketAddress recipient;

    private ReplyPacket(Recycler.Handle<ReplyPacket> handle) {
        super(Unpooled.EMPTY_BUFFER, PLACEHOLDER);
        this.handle = handle;
    }

    /** An envelope for {@code content}, which it takes ownership of, to {@code recipient}. */
    static ReplyPacket of(ByteBuf content, InetSocketAddress recipient) {
        ReplyPacket packet = RECYCLER.get();
        packet.content = content;
        packet.recipient = recipient;
        return packet;
    }

    @Override
    public ByteBuf content() {
        return content;
    }

    @Override
    public InetSocketAddress recipient() {
        return recipient;
    }

    @Override
    public InetSocketAddress sender() {
        return null;
    }

    @Override
    public int refCnt() {
        return content.refCnt();
    }

    @Override
    public ReplyPacket retain() {
        content.retain();
        return this;
    }

    @Override
    public ReplyPacket retain(int increment) {
        content.retain(increment);
        return this;
    }

    @Override
    public ReplyPacket touch() {
        content.touch();
        return this;
    }

    @Override
    public ReplyPacket touch(Object hint) {
        content.touch(hint);
        return this;
    }

    @Override
    public boolean release() {
        return release(1);
    }

    @Override
    public boolean release(int decrement) {
        boolean freed = content.release(decrement);
        if (freed) {
            content = null;
            recipient = null;
            handle.recycle(this);
        }
        return freed;
    }

    @Override
    public String toString() {
        return "ReplyPacket(=> " + recipient + ", " + content + ')';
    }
}
