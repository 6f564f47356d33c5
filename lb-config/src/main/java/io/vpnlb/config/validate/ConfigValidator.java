package io.vpnlb.config.validate;

import io.vpnlb.config.AdminConfig;
import io.vpnlb.config.Durations;
import io.vpnlb.config.HealthCheckConfig;
import io.vpnlb.config.HealthCheckType;
import io.vpnlb.config.IkeConfig;
import io.vpnlb.config.LbConfig;
import io.vpnlb.config.MemberConfig;
import io.vpnlb.config.PersistenceConfig;
import io.vpnlb.config.PoolConfig;
import io.vpnlb.config.PortMapping;
import io.vpnlb.config.ProxyProtocol;
import io.vpnlb.config.ServiceConfig;
import io.vpnlb.config.ServiceType;
import io.vpnlb.config.StatusRange;
import io.vpnlb.config.ClientAuth;
import io.vpnlb.config.TlsConfig;
import io.vpnlb.config.TlsMode;
import io.vpnlb.config.Violation;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Checks a whole {@link LbConfig} and returns every broken rule at once, each as
 * {@code path: value (expected: rule)}, in the order of the configuration (admin, then each service, then each
 * pool). It never touches the network or the file system: addresses must be IP literals, and certificate files
 * are checked when they are imported, not here.
 *
 * <p>Rules, by place:
 * <ul>
 *   <li>{@code admin.listen}: {@code IP:PORT} or {@code [IPv6]:PORT} with port 0..65535 (0 = any free port);
 *       {@code admin.tls} needs a certificate.</li>
 *   <li>{@code services}: at least one; names well formed and unique; {@code listen} an IP literal; at least one
 *       port; ports 1..65535 on both sides; no two listeners on the same address, port and protocol (UDP and TCP
 *       are different protocols; {@code 0.0.0.0} overlaps every IPv4 address and {@code ::}, dual-stack on
 *       Linux, every address; {@code admin.listen} is a TCP listener too); an ikev2 service has exactly two
 *       ports, IKE first and NAT-T second ({@code ports[0]} plays UDP 500 and {@code ports[1]} UDP 4500), that
 *       reach different member ports, and none of them is 443; sstp and ip-https do not listen on 500 or 4500;
 *       {@code pool} names a defined pool; durations positive; {@code max-sessions}
 *       1..{@value ServiceConfig#MAX_MAX_SESSIONS}; {@code persistence.max-entries} at least 1; no {@code tls}
 *       on a UDP service; tls modes terminate and reencrypt need a certificate; {@code tls.session-persistence}
 *       not negative; {@code tls.member-null-encryption} only on ip-https in reencrypt mode.</li>
 *   <li>{@code pools}: names well formed and unique; at least one member and one with a weight above 0;
 *       member addresses IP literals, explicit ports 1..65535, weight 0..{@value MemberConfig#MAX_WEIGHT},
 *       priority 1..{@value MemberConfig#MAX_PRIORITY}, no member listed twice (same address and port); no
 *       explicit member port in a pool that a multi-port service uses (every listener would reach that one
 *       port); health-check rise 1..{@value HealthCheckConfig#MAX_RISE} and fall
 *       1..{@value HealthCheckConfig#MAX_FALL}, positive interval and timeout, timeout at most the interval,
 *       and a check type that fits the services using the pool (ike for ikev2, sstp for sstp, tcp for TCP
 *       services, tls for TLS services); {@code https} and {@code expect-status} only on sstp checks;
 *       {@code proxy-protocol} none when a UDP service uses the pool; {@code maglev-table-size} a prime within
 *       {@value PoolConfig#MIN_MAGLEV_TABLE_SIZE}..{@value PoolConfig#MAX_MAGLEV_TABLE_SIZE}.</li>
 * </ul>
 * An empty string counts as missing and is printed as {@code missing}.
 */
public final class ConfigValidator {

    private static final int MIN_PORT = 1;
    private static final int MAX_PORT = 65_535;
    private static final int IKE_PORT = 500;
    private static final int NAT_T_PORT = 4500;
    private static final int HTTPS_PORT = 443;
    private static final String PORT_RULE = MIN_PORT + ".." + MAX_PORT;

    private final LbConfig config;
    private final List<Violation> violations = new ArrayList<>();
    private final List<Listener> listeners = new ArrayList<>();
    private final List<String> serviceNames = new ArrayList<>();
    private final List<String> servicePaths;
    private final List<String> poolNames = new ArrayList<>();
    private final List<String> poolPaths;

    private ConfigValidator(LbConfig config) {
        this.config = config;
        for (ServiceConfig service : config.services()) {
            serviceNames.add(service.name());
        }
        for (PoolConfig pool : config.pools()) {
            poolNames.add(pool.name());
        }
        this.servicePaths = ConfigPaths.elements("services", serviceNames);
        this.poolPaths = ConfigPaths.elements("pools", poolNames);
    }

    /** Every violation in {@code config}; empty when it is valid. */
    public static List<Violation> validate(LbConfig config) {
        ConfigValidator validator = new ConfigValidator(config);
        validator.checkAdmin(config.admin());
        if (config.services().isEmpty()) {
            validator.add("services", "none", "at least one service");
        }
        for (int i = 0; i < config.services().size(); i++) {
            validator.checkService(i);
        }
        for (int i = 0; i < config.pools().size(); i++) {
            validator.checkPool(i);
        }
        return List.copyOf(validator.violations);
    }

    private void checkAdmin(AdminConfig admin) {
        InetSocketAddress listen = Addresses.parseHostPort(admin.listen());
        if (listen == null) {
            add("admin.listen", show(admin.listen()), "IP:PORT such as 127.0.0.1:9090 or [::1]:9090");
        } else if (listen.getPort() != 0) {
            String host = admin.listen().substring(0, admin.listen().lastIndexOf(':')).replace("[", "")
                    .replace("]", "");
            listeners.add(new Listener("admin.listen", listen.getAddress(), host, listen.getPort(), false));
        }
        if (admin.tls() != null && isMissing(admin.tls().certificate())) {
            add("admin.tls.certificate", "missing", "a certificate file (.pem, .cer or .pfx) with its private key");
        }
    }

    private void checkService(int index) {
        ServiceConfig service = config.services().get(index);
        String path = servicePaths.get(index);
        checkName("service", index, serviceNames, servicePaths);
        InetAddress vip = Addresses.parseIp(service.listen());
        if (vip == null) {
            add(path + ".listen", show(service.listen()), "an IP address such as 0.0.0.0, 203.0.113.10 or ::");
        }
        checkPorts(service, path, vip);
        checkPoolReference(service, path);
        PersistenceConfig persistence = service.persistence();
        checkPositive(path + ".persistence.timeout", persistence.timeout());
        if (persistence.maxEntries() < 1) {
            add(path + ".persistence.max-entries", Long.toString(persistence.maxEntries()), "at least 1");
        }
        checkPositive(path + ".session-idle-timeout", service.sessionIdleTimeout());
        checkRange(path + ".max-sessions", service.maxSessions(), 1, ServiceConfig.MAX_MAX_SESSIONS);
        checkTls(service, path);
        checkIke(service, path);
    }

    private void checkPorts(ServiceConfig service, String path, InetAddress vip) {
        ServiceType type = service.type();
        List<PortMapping> ports = service.ports();
        if (ports.isEmpty()) {
            add(path + ".ports", "none", type.defaultPorts().length == 0
                    ? "at least one port; " + type.configName() + " services have no default ports"
                    : "at least one port");
            return;
        }
        if (type == ServiceType.IKEV2 && ports.size() != 2) {
            add(path + ".ports", ports.toString(), "two ports, IKE then NAT-T, such as [500, 4500]");
        } else if (type == ServiceType.IKEV2 && isReversedIkePair(ports)) {
            add(path + ".ports", ports.toString(), "the IKE port first, then NAT-T, such as [500, 4500]");
        }
        for (int k = 0; k < ports.size(); k++) {
            PortMapping port = ports.get(k);
            String portPath = path + ".ports[" + k + "]";
            if (!checkPortRange(portPath, port)) {
                continue;
            }
            checkPortProtocol(type, portPath, port);
            if (type == ServiceType.IKEV2) {
                checkDistinctMemberPort(ports, k, portPath);
            }
            if (vip != null) {
                checkClash(new Listener(portPath, vip, service.listen(), port.listenPort(), type.datagram()), port);
            }
        }
    }

    private static boolean isReversedIkePair(List<PortMapping> ports) {
        PortMapping first = ports.get(0);
        PortMapping second = ports.get(1);
        return first.listenPort() == NAT_T_PORT && second.listenPort() == IKE_PORT
                || first.memberPort() == NAT_T_PORT && second.memberPort() == IKE_PORT;
    }

    /** Reports a port mapping with either side outside 1..65535; true when both sides are in range. */
    private boolean checkPortRange(String portPath, PortMapping port) {
        boolean listenOk = inPortRange(port.listenPort());
        boolean memberOk = inPortRange(port.memberPort());
        if (port.listenPort() == port.memberPort() && !listenOk) {
            add(portPath, port.toString(), PORT_RULE);
        } else if (!listenOk) {
            add(portPath, port.toString(), "VIP port within " + PORT_RULE);
        } else if (!memberOk) {
            add(portPath, port.toString(), "member port within " + PORT_RULE);
        }
        return listenOk && memberOk;
    }

    private void checkPortProtocol(ServiceType type, String portPath, PortMapping port) {
        int listen = port.listenPort();
        if (type == ServiceType.IKEV2 && listen == HTTPS_PORT) {
            add(portPath, port.toString(), "a UDP port for ikev2, such as 500 or 4500; 443 is the TCP port of "
                    + "SSTP and IP-HTTPS");
        } else if ((type == ServiceType.SSTP || type == ServiceType.IP_HTTPS)
                && (listen == IKE_PORT || listen == NAT_T_PORT)) {
            add(portPath, port.toString(), "a TCP port for " + type.configName() + ", such as 443; 500 and 4500 "
                    + "are the UDP ports of IKEv2");
        }
    }

    private void checkDistinctMemberPort(List<PortMapping> ports, int k, String portPath) {
        for (int earlier = 0; earlier < k; earlier++) {
            if (ports.get(earlier).memberPort() == ports.get(k).memberPort()) {
                add(portPath, ports.get(k).toString(), "a member port of its own; ports[" + earlier
                        + "] already forwards to member port " + ports.get(k).memberPort()
                        + ", and IKE and NAT-T must reach different member ports");
                return;
            }
        }
    }

    private void checkClash(Listener listener, PortMapping port) {
        for (Listener other : listeners) {
            if (other.datagram == listener.datagram && other.port == listener.port
                    && overlap(other.address, listener.address)) {
                add(listener.path, port.toString(), "a VIP address and port that no other listener uses; "
                        + other.path + " already listens on " + (other.datagram ? "UDP " : "TCP ")
                        + hostPort(other.shownAddress, other.port));
                return;
            }
        }
        listeners.add(listener);
    }

    /** True when binding both addresses on one port conflicts; {@code ::} is dual-stack, as on Linux. */
    private static boolean overlap(InetAddress a, InetAddress b) {
        return a.equals(b) || covers(a, b) || covers(b, a);
    }

    private static boolean covers(InetAddress wildcard, InetAddress other) {
        return wildcard.isAnyLocalAddress() && (wildcard instanceof Inet6Address || other instanceof Inet4Address);
    }

    private void checkPoolReference(ServiceConfig service, String path) {
        if (!service.pool().isEmpty() && config.pool(service.pool()) != null) {
            return;
        }
        Set<String> known = new LinkedHashSet<>();
        for (PoolConfig pool : config.pools()) {
            if (!pool.name().isEmpty()) {
                known.add(pool.name());
            }
        }
        String rule;
        if (known.isEmpty()) {
            rule = "the name of a pool; no pool is defined";
        } else {
            rule = "one of " + String.join(", ", known);
            String suggestion = service.pool().isEmpty() ? null : Suggestions.nearest(service.pool(), known);
            if (suggestion != null) {
                rule += "; did you mean " + suggestion + "?";
            }
        }
        add(path + ".pool", show(service.pool()), rule);
    }

    private void checkIke(ServiceConfig service, String path) {
        if (service.type() != ServiceType.IKEV2 && !service.ike().equals(IkeConfig.DEFAULT)) {
            add(path + ".ike", "set", "no ike section; IKEv2 awareness applies to ikev2 services only");
        }
        checkPositive(path + ".ike.half-open-timeout", service.ike().halfOpenTimeout());
        checkRange(path + ".ike.max-half-open", service.ike().maxHalfOpen(), 1, ServiceConfig.MAX_MAX_SESSIONS);
        checkRange(path + ".ike.max-half-open-per-source", service.ike().maxHalfOpenPerSource(), 1,
                ServiceConfig.MAX_MAX_SESSIONS);
        checkRange(path + ".ike.new-sessions-per-source", service.ike().newSessionsPerSource(), 1,
                IkeConfig.MAX_NEW_SESSIONS_PER_SOURCE);
        if (service.ike().maxHalfOpenPerSource() > service.ike().maxHalfOpen()) {
            add(path + ".ike.max-half-open-per-source", Integer.toString(service.ike().maxHalfOpenPerSource()),
                    "at most ike.max-half-open (" + service.ike().maxHalfOpen() + ")");
        }
    }

    private void checkTls(ServiceConfig service, String path) {
        TlsConfig tls = service.tls();
        if (tls == null) {
            return;
        }
        if (service.type().datagram()) {
            add(path + ".tls", tls.mode().configName(), "no tls section; " + service.type().configName()
                    + " services run over UDP");
        } else {
            if (tls.mode() != TlsMode.PASSTHROUGH && isMissing(tls.certificate())) {
                add(path + ".tls.certificate", "missing", "a certificate file (.pem, .cer or .pfx) for tls mode "
                        + tls.mode().configName());
            }
            checkClientAuth(service, path);
            Duration persistence = tls.sessionPersistence();
            if (persistence != null && persistence.isNegative()) {
                add(path + ".tls.session-persistence", Durations.format(persistence), "0 (off) or a duration");
            }
            if (Boolean.TRUE.equals(tls.memberNullEncryption())
                    && !TlsConfig.defaultMemberNullEncryption(service.type(), tls.mode())) {
                add(path + ".tls.member-null-encryption", "true", "only on ip-https services in tls mode reencrypt "
                        + "(the connection to the member carries IP-HTTPS, whose payload is already IPsec)");
            }
        }
    }

    private void checkClientAuth(ServiceConfig service, String path) {
        TlsConfig tls = service.tls();
        ClientAuth clientAuth = tls.effectiveClientAuth(service.type());
        if (tls.mode() == TlsMode.PASSTHROUGH) {
            if (tls.clientAuth() != null && tls.clientAuth() != ClientAuth.NONE) {
                add(path + ".tls.client-auth", tls.clientAuth().configName(),
                        "none with tls mode passthrough (vpnlb does not see the TLS handshake)");
            }
            if (!isMissing(tls.clientCa())) {
                add(path + ".tls.client-ca", tls.clientCa(), "no client-ca with tls mode passthrough");
            }
            if (!isMissing(tls.crl())) {
                add(path + ".tls.crl", tls.crl(), "no crl with tls mode passthrough");
            }
            return;
        }
        if (clientAuth != ClientAuth.NONE && isMissing(tls.clientCa())) {
            add(path + ".tls.client-ca", "missing", "a CA bundle (.pem or .cer) that client certificates chain to, "
                    + "for client-auth " + clientAuth.configName()
                    + (tls.clientAuth() == null ? " (the default for " + service.type().configName()
                    + "; set client-auth: none to turn preauthentication off)" : ""));
        }
        if (clientAuth == ClientAuth.NONE && !isMissing(tls.crl())) {
            add(path + ".tls.crl", tls.crl(), "no crl with client-auth none");
        }
    }

    private void checkPool(int index) {
        PoolConfig pool = config.pools().get(index);
        String path = poolPaths.get(index);
        checkName("pool", index, poolNames, poolPaths);
        List<MemberConfig> members = pool.members();
        if (members.isEmpty()) {
            add(path + ".members", "none", "at least one member");
        } else if (allWeightsZero(members)) {
            add(path + ".members", "all weights are 0", "at least one member with a weight above 0");
        }
        List<Integer> users = serviceIndexesUsing(pool.name());
        Integer multiPortUser = null;
        for (int user : users) {
            if (multiPortUser == null && config.services().get(user).ports().size() > 1) {
                multiPortUser = user;
            }
        }
        List<InetAddress> addresses = new ArrayList<>();
        for (int k = 0; k < members.size(); k++) {
            MemberConfig member = members.get(k);
            String memberPath = path + ".members[" + k + "]";
            InetAddress address = Addresses.parseIp(member.address());
            addresses.add(address);
            if (address == null) {
                add(memberPath + ".address", show(member.address()), "an IP address such as 10.0.0.11 or fd00::11");
            }
            checkMemberPort(member, memberPath, multiPortUser);
            checkRange(memberPath + ".weight", member.weight(), 0, MemberConfig.MAX_WEIGHT);
            checkRange(memberPath + ".priority", member.priority(), 1, MemberConfig.MAX_PRIORITY);
            checkDuplicateMember(members, addresses, k, memberPath);
        }
        checkHealthCheck(pool.healthCheck(), path + ".health-check", users);
        int size = pool.maglevTableSize();
        if (size < PoolConfig.MIN_MAGLEV_TABLE_SIZE || size > PoolConfig.MAX_MAGLEV_TABLE_SIZE || !isPrime(size)) {
            add(path + ".maglev-table-size", Integer.toString(size), "a prime within "
                    + PoolConfig.MIN_MAGLEV_TABLE_SIZE + ".." + PoolConfig.MAX_MAGLEV_TABLE_SIZE);
        }
        checkRange(path + ".min-up-members", pool.minUpMembers(), 1, PoolConfig.MAX_MIN_UP_MEMBERS);
        if (pool.proxyProtocol() != ProxyProtocol.NONE) {
            for (int user : users) {
                if (config.services().get(user).type().datagram()) {
                    add(path + ".proxy-protocol", pool.proxyProtocol().configName(), "none for a pool used by "
                            + servicePaths.get(user) + " (PROXY protocol is for TCP services)");
                    break;
                }
            }
        }
        if (!members.isEmpty() && pool.minUpMembers() > members.size()) {
            add(path + ".min-up-members", Integer.toString(pool.minUpMembers()),
                    "at most the number of members, " + members.size());
        }
    }

    private static boolean allWeightsZero(List<MemberConfig> members) {
        for (MemberConfig member : members) {
            if (member.weight() != 0) {
                return false;
            }
        }
        return true;
    }

    private void checkMemberPort(MemberConfig member, String memberPath, Integer multiPortUser) {
        int port = member.port();
        if (port == MemberConfig.PORT_FROM_SERVICE) {
            return;
        }
        if (!inPortRange(port)) {
            add(memberPath + ".port", Integer.toString(port), PORT_RULE);
        } else if (multiPortUser != null) {
            ServiceConfig service = config.services().get(multiPortUser);
            add(memberPath + ".port", Integer.toString(port), "no port: " + servicePaths.get(multiPortUser)
                    + " listens on " + service.ports().size() + " ports and all of them would reach member port "
                    + port + "; map each one in the service instead, with ports: [\"VIP:MEMBER\", ...]");
        }
    }

    private void checkDuplicateMember(List<MemberConfig> members, List<InetAddress> addresses, int k,
            String memberPath) {
        MemberConfig member = members.get(k);
        for (int earlier = 0; earlier < k; earlier++) {
            MemberConfig other = members.get(earlier);
            boolean sameAddress = addresses.get(k) != null && addresses.get(earlier) != null
                    ? addresses.get(k).equals(addresses.get(earlier))
                    : member.address().equals(other.address());
            if (sameAddress && member.port() == other.port()) {
                String shown = member.port() == MemberConfig.PORT_FROM_SERVICE
                        ? show(member.address())
                        : hostPort(member.address(), member.port());
                add(memberPath, shown, "a member listed once; members[" + earlier
                        + "] has the same address and port");
                return;
            }
        }
    }

    private void checkHealthCheck(HealthCheckConfig check, String path, List<Integer> users) {
        boolean intervalOk = checkPositive(path + ".interval", check.interval());
        boolean timeoutOk = checkPositive(path + ".timeout", check.timeout());
        if (intervalOk && timeoutOk && check.timeout().compareTo(check.interval()) > 0) {
            add(path + ".timeout", Durations.format(check.timeout()), "at most the interval, "
                    + Durations.format(check.interval()));
        }
        checkRange(path + ".rise", check.rise(), 1, HealthCheckConfig.MAX_RISE);
        checkRange(path + ".fall", check.fall(), 1, HealthCheckConfig.MAX_FALL);
        if (check.type() != HealthCheckType.SSTP) {
            if (check.https() != null) {
                add(path + ".https", check.https().toString(), "no https with check type "
                        + check.type().configName() + " (it is a setting of sstp checks)");
            }
            if (!check.expectStatus().equals(StatusRange.DEFAULT_SSTP)) {
                add(path + ".expect-status", check.expectStatus().toString(), "no expect-status with check type "
                        + check.type().configName() + " (it is a setting of sstp checks)");
            }
        }
        if (users.isEmpty() || check.type() == HealthCheckType.NONE) {
            return;
        }
        List<String> fitting = new ArrayList<>();
        StringJoiner userPaths = new StringJoiner(", ");
        for (HealthCheckType type : HealthCheckType.values()) {
            if (fits(type, users)) {
                fitting.add(type.configName());
            }
        }
        for (int user : users) {
            userPaths.add(servicePaths.get(user));
        }
        if (!fitting.contains(check.type().configName())) {
            add(path + ".type", check.type().configName(), "one of " + String.join(", ", fitting)
                    + " for a pool used by " + userPaths);
        }
    }

    /** Whether a check of {@code type} can probe the members of a pool used by these services. */
    private boolean fits(HealthCheckType type, List<Integer> users) {
        for (int user : users) {
            ServiceType serviceType = config.services().get(user).type();
            boolean fits = switch (type) {
                case NONE -> true;
                case IKE -> serviceType == ServiceType.IKEV2;
                case SSTP -> serviceType == ServiceType.SSTP;
                case TCP, TLS -> !serviceType.datagram();
                case UDP -> serviceType.datagram();
            };
            if (fits) {
                return true;
            }
        }
        return false;
    }

    private List<Integer> serviceIndexesUsing(String poolName) {
        List<Integer> users = new ArrayList<>();
        for (int i = 0; i < config.services().size(); i++) {
            if (config.services().get(i).pool().equals(poolName)) {
                users.add(i);
            }
        }
        return users;
    }

    private void checkName(String kind, int index, List<String> names, List<String> paths) {
        String name = names.get(index);
        String path = paths.get(index);
        if (name.isEmpty()) {
            add(path + ".name", "missing", ConfigPaths.NAME_RULE);
        } else if (!ConfigPaths.NAME.matcher(name).matches()) {
            add(path + ".name", name, ConfigPaths.NAME_RULE);
        } else {
            int earlier = names.indexOf(name);
            if (earlier < index) {
                add(path + ".name", name, "a " + kind + " name used once; " + paths.get(earlier)
                        + " has the same name");
            }
        }
    }

    private boolean checkPositive(String path, Duration duration) {
        if (duration.isNegative() || duration.isZero()) {
            add(path, Durations.format(duration), Durations.RULE);
            return false;
        }
        return true;
    }

    private void checkRange(String path, long value, long min, long max) {
        if (value < min || value > max) {
            add(path, Long.toString(value), min + ".." + max);
        }
    }

    private static boolean inPortRange(int port) {
        return port >= MIN_PORT && port <= MAX_PORT;
    }

    private static boolean isPrime(int n) {
        if (n < 2) {
            return false;
        }
        if (n % 2 == 0) {
            return n == 2;
        }
        for (int d = 3; (long) d * d <= n; d += 2) {
            if (n % d == 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isMissing(String text) {
        return text == null || text.isBlank();
    }

    private static String show(String text) {
        return text.isEmpty() ? "missing" : text;
    }

    private static String hostPort(String address, int port) {
        return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
    }

    private void add(String path, String value, String expected) {
        violations.add(new Violation(path, value, expected));
    }

    /** A listening socket the configuration asks for: an address, a port and a protocol. */
    private record Listener(String path, InetAddress address, String shownAddress, int port, boolean datagram) {
    }
}
