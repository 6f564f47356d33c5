package io.vpnlb.dataplane.tcp;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.Security;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * TLS settings that the JDK and Netty read once per process, when their TLS classes first load: vpnlb applies them
 * as it starts, before it builds any TLS context. Both methods are idempotent.
 */
public final class TlsProcessSettings {

    private static final Logger log = LoggerFactory.getLogger(TlsProcessSettings.class);

    /** The security property that lists what the JDK's TLS provider refuses to negotiate. */
    static final String DISABLED_ALGORITHMS = "jdk.tls.disabledAlgorithms";
    /** The system property that turns stateless session tickets on or off for TLS servers (JDK and Netty). */
    static final String SERVER_TICKETS = "jdk.tls.server.enableSessionTicketExtension";

    private static boolean ticketWarningLogged;

    private TlsProcessSettings() {
    }

    /**
     * Lets the JDK's TLS provider negotiate NULL-encryption cipher suites by removing {@code NULL} from
     * {@value #DISABLED_ALGORITHMS}. The property is process-wide (the JDK has no per-context switch), but only the
     * member connections of services with {@code tls.member-null-encryption} enable such suites: the JDK never
     * enables them by default, and vpnlb's other TLS contexts list their cipher suites. Has no effect once the JDK's
     * TLS classes are in use, which {@link NullEncryption#unavailableReason()} then reports.
     */
    public static synchronized void allowNullEncryption() {
        String current = Security.getProperty(DISABLED_ALGORITHMS);
        if (current == null) {
            return;
        }
        String relaxed = withoutNull(current);
        if (!relaxed.equals(current)) {
            Security.setProperty(DISABLED_ALGORITHMS, relaxed);
        }
    }

    /** {@code disabledAlgorithms} without its {@code NULL} entry, every other entry kept in order. */
    static String withoutNull(String disabledAlgorithms) {
        List<String> kept = new ArrayList<>();
        for (String entry : disabledAlgorithms.split(",")) {
            String trimmed = entry.trim();
            if (!trimmed.isEmpty() && !trimmed.toUpperCase(Locale.ROOT).equals("NULL")) {
                kept.add(trimmed);
            }
        }
        return String.join(", ", kept);
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
