package io.vpnlb.control;

import io.vpnlb.config.LbConfig;
import io.vpnlb.config.ServiceConfig;
import io.vpnlb.config.TlsMode;
import io.vpnlb.config.Violation;
import io.vpnlb.config.validate.ConfigPaths;
import io.vpnlb.dataplane.tcp.NullEncryption;
import io.vpnlb.dataplane.tcp.TcpDataPlane;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What this host and process can do for a configuration: the Linux capabilities of the process (read from
 * {@code /proc/self/status}) and the cipher suites of its TLS provider.
 */
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

    /**
     * One violation per service that offers NULL-encryption suites to its members
     * ({@code tls.member-null-encryption}, the default for ip-https in reencrypt mode) when this process's TLS
     * provider has none. Applies the process-wide TLS settings first ({@link TcpDataPlane#applyProcessSettings}).
     */
    public static List<Violation> memberNullEncryptionProblems(LbConfig config) {
        if (needingNullEncryption(config).isEmpty()) {
            return List.of();
        }
        TcpDataPlane.applyProcessSettings(config.services());
        return memberNullEncryptionProblems(config, NullEncryption.unavailableReason());
    }

    /**
     * @param providerProblem why the TLS provider has no NULL-encryption suites, or {@code null} when it has some
     */
    static List<Violation> memberNullEncryptionProblems(LbConfig config, String providerProblem) {
        List<Violation> violations = new ArrayList<>();
        if (providerProblem == null) {
            return violations;
        }
        List<String> names = new ArrayList<>();
        for (ServiceConfig service : config.services()) {
            names.add(service.name());
        }
        List<String> paths = ConfigPaths.elements("services", names);
        for (int index : needingNullEncryption(config)) {
            ServiceConfig service = config.services().get(index);
            violations.add(new Violation(paths.get(index) + ".tls.member-null-encryption",
                    service.tls().memberNullEncryption() == null ? "true (the default for "
                            + service.type().configName() + " in tls mode reencrypt)" : "true",
                    "false here: " + NullEncryption.problem(providerProblem)));
        }
        return violations;
    }

    private static List<Integer> needingNullEncryption(LbConfig config) {
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < config.services().size(); i++) {
            ServiceConfig service = config.services().get(i);
            if (service.tls() != null && service.tls().mode() == TlsMode.REENCRYPT
                    && service.tls().effectiveMemberNullEncryption(service.type())) {
                indexes.add(i);
            }
        }
        return indexes;
    }
}
