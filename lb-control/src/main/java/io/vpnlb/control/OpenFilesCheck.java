package io.vpnlb.control;

import io.vpnlb.config.ServiceConfig;

import java.util.List;

/**
 * Compares the open files the services' {@code max-sessions} may take with the process's open-files limit: a UDP
 * session holds one socket, a TCP connection two (client and member), and the data plane keeps a reserve free
 * for the admin API, health checks and reloads.
 */
final class OpenFilesCheck {

    private OpenFilesCheck() {
    }

    /**
     * A warning for the operator when {@code limit} is below what the services may open, or {@code null} when it
     * covers them (or is unknown, {@code <= 0}).
     */
    static String warning(List<ServiceConfig> services, long limit, int reserve) {
        if (limit <= 0) {
            return null;
        }
        long udp = 0;
        long tcp = 0;
        for (ServiceConfig service : services) {
            if (service.type().datagram()) {
                udp += service.maxSessions();
            } else {
                tcp += service.maxSessions();
            }
        }
        long needed = udp + 2 * tcp + reserve;
        if (needed <= limit) {
            return null;
        }
        return "open files limit " + limit + " is below what max-sessions allow: " + udp
                + " UDP sessions (one socket each) + " + tcp + " TCP connections (two sockets each) + " + reserve
                + " kept in reserve = " + needed + "; new UDP sessions are refused (drop reason fd_reserve) while "
                + "fewer than " + reserve + " remain free. Raise the limit (LimitNOFILE=, ulimit -n) or lower "
                + "max-sessions";
    }
}
