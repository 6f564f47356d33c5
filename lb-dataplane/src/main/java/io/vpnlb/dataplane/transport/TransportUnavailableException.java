package io.vpnlb.dataplane.transport;

/** A transport was forced in the configuration but cannot run on this machine. */
public final class TransportUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public TransportUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
