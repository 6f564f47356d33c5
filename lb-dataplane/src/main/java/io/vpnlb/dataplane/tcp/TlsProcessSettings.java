package io.vpnlb.dataplane.tcp;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS settings that the JDK and Netty read once per process, when their TLS classes first load: vpnlb applies them
 * as it starts, before it builds any TLS context. Idempotent.
 */
public final class TlsProcessSettings {

    private static final Logger log = LoggerFactory.getLogger(TlsProcessSettings.class);

    /** The system property that turns stateless session tickets on or off for TLS servers (JDK and Netty). */
    static final String SERVER_TICKETS = "jdk.tls.server.enableSessionTicketExtension";

    private static boolean ticketWarningLogged;

    private TlsProcessSettings() {
    }

    /**
     * Makes vpnlb's TLS servers resume sessions from their session cache by session ID instead of by stateless
     * session tickets, unless {@value #SERVER_TICKETS} was set explicitly. TLS-session persistence needs it: a
     * session resumed from a ticket is rebuilt from the ticket and no longer knows its member. The JDK reads the
     * property for each new TLS context, Netty's BoringSSL contexts when they first load; with BoringSSL, TLS 1.3
     * clients then make a full handshake each time (BoringSSL resumes TLS 1.3 from tickets only).
     */
    public static synchronized void resumeBySessionId() {
        String set = System.getProperty(SERVER_TICKETS);
        if (set == null) {
            System.setProperty(SERVER_TICKETS, "false");
        } else if (!set.equalsIgnoreCase("false") && !ticketWarningLogged) {
            ticketWarningLogged = true;
            log.warn("-D{}={}: TLS servers issue session tickets, and a client resuming from a ticket may reach "
                    + "another member than its session's (TLS-session persistence follows session IDs only)",
                    SERVER_TICKETS, set);
        }
    }
}
