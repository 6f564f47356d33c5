package io.vpnlb.control;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The Linux capabilities of this process, read from {@code /proc/self/status}. */
public final class Capabilities {

    public static final int CAP_NET_BIND_SERVICE = 10;
    public static final int CAP_NET_ADMIN = 12;
    public static final int CAP_NET_RAW = 13;

    private static final Path STATUS = Path.of("/proc/self/status");

    private Capabilities() {
    }

    /** True when the effective set holds {@code capability}; false when it does not or cannot be read. */
    public static boolean effective(int capability) {
        try {
            return effective(Files.readAllLines(STATUS), capability);
        } catch (IOException e) {
            return false;
        }
    }

    static boolean effective(List<String> status, int capability) {
        for (String line : status) {
            if (line.startsWith("CapEff:")) {
                long mask = Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
                return (mask & (1L << capability)) != 0;
            }
        }
        return false;
    }

    /**
     * Why transparent mode ({@code source-nat: false}) cannot run for {@code service}, or {@code null} when it can:
     * upstream sockets bind the client's address with IP_TRANSPARENT, which needs epoll or io_uring and
     * CAP_NET_ADMIN (or CAP_NET_RAW).
     */
    public static String transparentProblem(String service, String transport, boolean transportSupportsIt,
                                            boolean netAdmin) {
        if (!transportSupportsIt) {
            return "service " + service + ": source-nat: false (transparent mode) needs the epoll or io_uring "
                    + "transport to bind the client's address; transport " + transport + " cannot (set transport: "
                    + "auto or epoll)";
        }
        if (!netAdmin) {
            return "service " + service + ": source-nat: false (transparent mode) needs CAP_NET_ADMIN to bind the "
                    + "client's address (IP_TRANSPARENT); run as root or grant it (systemd: "
                    + "AmbientCapabilities=CAP_NET_ADMIN), and set up the routing in deploy/transparent-routing.sh";
        }
        return null;
    }
}
