package io.vpnlb.config.io;

import com.fasterxml.jackson.databind.JsonNode;
import io.vpnlb.config.AdminConfig;
import io.vpnlb.config.Algorithm;
import io.vpnlb.config.Durations;
import io.vpnlb.config.HealthCheckConfig;
import io.vpnlb.config.HealthCheckType;
import io.vpnlb.config.IkeConfig;
import io.vpnlb.config.LbConfig;
import io.vpnlb.config.MemberConfig;
import io.vpnlb.config.PersistenceConfig;
import io.vpnlb.config.PersistenceScope;
import io.vpnlb.config.PoolConfig;
import io.vpnlb.config.PortMapping;
import io.vpnlb.config.ProxyProtocol;
import io.vpnlb.config.ServiceConfig;
import io.vpnlb.config.ServiceType;
import io.vpnlb.config.StatusRange;
import io.vpnlb.config.ClientAuth;
import io.vpnlb.config.TlsConfig;
import io.vpnlb.config.TlsMode;
import io.vpnlb.config.Transport;
import io.vpnlb.config.Violation;
import io.vpnlb.config.validate.ConfigPaths;
import io.vpnlb.config.validate.Suggestions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Walks a parsed YAML tree into an {@link LbConfig}, collecting every structural problem (unknown key, wrong type,
 * unreadable value) instead of stopping at the first. Wherever a value is unusable it reports it and puts a
 * neutral stand-in in its place so that the walk, and afterwards the validator, can go on; the validator's
 * complaints about such stand-ins are noise, and {@link #replaced} tells which paths they are.
 *
 * <p>Explicit YAML nulls ({@code tls:} with nothing after it) count as missing keys. Integers and booleans may be
 * quoted ({@code port: "500"}); strings may be written as numbers ({@code name: 7}).
 */
final class TreeMapper {

    static final List<String> ROOT_KEYS = List.of("transport", "admin", "services", "pools");
    private static final List<String> ADMIN_KEYS = List.of("listen", "token-file", "tls", "metrics-token");
    private static final List<String> ADMIN_TLS_KEYS = List.of("certificate", "password-file");
    private static final List<String> SERVICE_KEYS = List.of("name", "type", "listen", "ports", "pool",
            "source-nat", "persistence", "session-idle-timeout", "max-sessions", "tls", "ike");
    private static final List<String> IKE_KEYS = List.of("spi-routing", "max-half-open", "max-half-open-per-source",
            "half-open-timeout", "new-sessions-per-source");
    private static final List<String> PERSISTENCE_KEYS = List.of("scope", "timeout", "max-entries");
    private static final List<String> TLS_KEYS = List.of("mode", "certificate", "password-file", "client-auth",
            "client-ca", "crl", "session-persistence", "member-null-encryption");
    private static final List<String> POOL_KEYS = List.of("name", "algorithm", "members", "health-check",
            "maglev-table-size", "min-up-members", "proxy-protocol");
    private static final List<String> MEMBER_KEYS = List.of("address", "port", "weight", "priority");
    private static final List<String> HEALTH_CHECK_KEYS = List.of("type", "interval", "timeout", "rise", "fall",
            "https", "expect-status");
    private static final String STATUS_RULE = "HTTP statuses such as [200-299, 401] (each 100..599)";

    private static final String PORT_MAPPING_RULE = "a port such as 500, or \"VIP:MEMBER\" such as \"10500:500\"";
    private static final Pattern PORT_MAPPING = Pattern.compile("([0-9]{1,9})(?::([0-9]{1,9}))?");
    private static final Pattern INTEGER = Pattern.compile("[-+]?[0-9]+");
    private static final int MAX_PORT = 65_535;
    private static final int MAX_SHOWN_LENGTH = 80;

    private final List<Violation> violations = new ArrayList<>();
    private final Set<String> replaced = new HashSet<>();
    private final Map<String, Integer> positions = new HashMap<>();

    /** Maps a document whose root is a mapping. */
    LbConfig map(JsonNode root) {
        index(root, "");
        checkKeys(root, "", ROOT_KEYS);
        Transport transport = choice(root, "transport", "transport", Transport.values(), Transport::configName,
                LbConfig.DEFAULT_TRANSPORT);
        AdminConfig admin = admin(root);
        List<ServiceConfig> services = new ArrayList<>();
        JsonNode serviceList = list(value(root, "services"), "services", "a list of services");
        List<String> servicePaths = elementPaths("services", serviceList);
        for (int i = 0; i < servicePaths.size(); i++) {
            services.add(service(serviceList.get(i), servicePaths.get(i)));
        }
        List<PoolConfig> pools = new ArrayList<>();
        JsonNode poolList = list(value(root, "pools"), "pools", "a list of pools");
        List<String> poolPaths = elementPaths("pools", poolList);
        for (int i = 0; i < poolPaths.size(); i++) {
            pools.add(pool(poolList.get(i), poolPaths.get(i)));
        }
        return new LbConfig(transport, admin, services, pools);
    }

    /** The structural violations found by {@link #map}. */
    List<Violation> violations() {
        return violations;
    }

    /** True when the value at {@code path}, or at one of its parents, was reported and replaced by a stand-in. */
    boolean replaced(String path) {
        for (String p = path; p != null; p = parent(p)) {
            if (replaced.contains(p)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Where {@code path} (or its nearest parent that the document has) appears in the document, as a number that
     * grows in document order; {@link Integer#MAX_VALUE} when the document has none of it.
     */
    int position(String path) {
        for (String p = path; p != null; p = parent(p)) {
            Integer position = positions.get(p);
            if (position != null) {
                return position;
            }
        }
        return Integer.MAX_VALUE;
    }

    /** Numbers every path in the tree in document order (pre-order). */
    private void index(JsonNode node, String path) {
        positions.putIfAbsent(path, positions.size());
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                index(field.getValue(), child(path, field.getKey()));
            }
        } else if (node.isArray()) {
            List<String> paths = elementPaths(path, node);
            for (int i = 0; i < paths.size(); i++) {
                index(node.get(i), paths.get(i));
            }
        }
    }

    private static List<String> elementPaths(String path, JsonNode list) {
        if (list == null) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        List<String> indexed = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode name = list.get(i).get("name");
            names.add(name != null && isScalar(name) ? name.asText() : "");
            indexed.add(path + "[" + i + "]");
        }
        return path.equals("services") || path.equals("pools") ? ConfigPaths.elements(path, names) : indexed;
    }

    private static String parent(String path) {
        if (path.endsWith("]")) {
            int open = path.lastIndexOf('[');
            return open > 0 ? path.substring(0, open) : null;
        }
        int dot = path.lastIndexOf('.');
        return dot > path.lastIndexOf(']') ? path.substring(0, dot) : null;
    }

    private static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private AdminConfig admin(JsonNode root) {
        JsonNode admin = mapping(value(root, "admin"), "admin", ADMIN_KEYS);
        if (admin == null) {
            return AdminConfig.DEFAULT;
        }
        TlsConfig tls = null;
        JsonNode tlsNode = mapping(value(admin, "tls"), "admin.tls", ADMIN_TLS_KEYS);
        if (tlsNode != null) {
            tls = new TlsConfig(TlsMode.TERMINATE,
                    text(tlsNode, "certificate", "admin.tls.certificate", null, "a file path"),
                    text(tlsNode, "password-file", "admin.tls.password-file", null, "a file path"));
        }
        return new AdminConfig(
                text(admin, "listen", "admin.listen", AdminConfig.DEFAULT_LISTEN, "IP:PORT such as 127.0.0.1:9090"),
                text(admin, "token-file", "admin.token-file", AdminConfig.DEFAULT_TOKEN_FILE, "a file path"),
                tls,
                bool(admin, "metrics-token", "admin.metrics-token", AdminConfig.DEFAULT_METRICS_TOKEN));
    }

    private ServiceConfig service(JsonNode node, String path) {
        JsonNode service = mapping(node, path, SERVICE_KEYS);
        if (service == null) {
            return new ServiceConfig("", ServiceType.TCP, ServiceConfig.DEFAULT_LISTEN, List.of(), "",
                    ServiceConfig.DEFAULT_SOURCE_NAT, PersistenceConfig.DEFAULT,
                    ServiceConfig.DEFAULT_SESSION_IDLE_TIMEOUT, ServiceConfig.DEFAULT_MAX_SESSIONS, null);
        }
        String name = text(service, "name", path + ".name", "", "a name");
        ServiceType type = choice(service, "type", path + ".type", ServiceType.values(), ServiceType::configName,
                null);
        String listen = text(service, "listen", path + ".listen", ServiceConfig.DEFAULT_LISTEN, "an IP address");
        List<PortMapping> ports = ports(service, path + ".ports", type);
        String pool = text(service, "pool", path + ".pool", "", "a pool name");
        boolean sourceNat = bool(service, "source-nat", path + ".source-nat", ServiceConfig.DEFAULT_SOURCE_NAT);
        PersistenceConfig persistence = persistence(service, path + ".persistence");
        Duration idle = duration(service, "session-idle-timeout", path + ".session-idle-timeout",
                ServiceConfig.DEFAULT_SESSION_IDLE_TIMEOUT);
        int maxSessions = integer(service, "max-sessions", path + ".max-sessions", ServiceConfig.DEFAULT_MAX_SESSIONS,
                1, ServiceConfig.MAX_MAX_SESSIONS);
        // Without a usable type, TCP stands in: it has no default ports and accepts every tls section.
        TlsConfig tls = tls(service, path + ".tls", type == null ? ServiceType.TCP : type);
        IkeConfig ike = ike(service, path + ".ike");
        return new ServiceConfig(name, type == null ? ServiceType.TCP : type, listen, ports, pool, sourceNat,
                persistence, idle, maxSessions, tls, ike);
    }

    private IkeConfig ike(JsonNode service, String path) {
        JsonNode ike = mapping(value(service, "ike"), path, IKE_KEYS);
        if (ike == null) {
            return IkeConfig.DEFAULT;
        }
        return new IkeConfig(
                bool(ike, "spi-routing", path + ".spi-routing", IkeConfig.DEFAULT_SPI_ROUTING),
                integer(ike, "max-half-open", path + ".max-half-open", IkeConfig.DEFAULT_MAX_HALF_OPEN,
                        1, ServiceConfig.MAX_MAX_SESSIONS),
                integer(ike, "max-half-open-per-source", path + ".max-half-open-per-source",
                        IkeConfig.DEFAULT_MAX_HALF_OPEN_PER_SOURCE, 1, ServiceConfig.MAX_MAX_SESSIONS),
                duration(ike, "half-open-timeout", path + ".half-open-timeout", IkeConfig.DEFAULT_HALF_OPEN_TIMEOUT),
                integer(ike, "new-sessions-per-source", path + ".new-sessions-per-source",
                        IkeConfig.DEFAULT_NEW_SESSIONS_PER_SOURCE, 1, IkeConfig.MAX_NEW_SESSIONS_PER_SOURCE));
    }

    private List<PortMapping> ports(JsonNode service, String path, ServiceType type) {
        JsonNode node = value(service, "ports");
        if (node == null) {
            if (type == null) {
                replaced.add(path); // the type's default ports are unknown; "no ports" would be noise
                return List.of();
            }
            List<PortMapping> defaults = new ArrayList<>();
            for (int port : type.defaultPorts()) {
                defaults.add(PortMapping.same(port));
            }
            return defaults;
        }
        JsonNode list = list(node, path, "a list of ports such as [500, 4500]");
        List<PortMapping> ports = new ArrayList<>();
        for (int k = 0; list != null && k < list.size(); k++) {
            ports.add(portMapping(list.get(k), path + "[" + k + "]"));
        }
        return ports;
    }

    private PortMapping portMapping(JsonNode node, String path) {
        if (node.isIntegralNumber() && node.canConvertToInt()) {
            return PortMapping.same(node.intValue());
        }
        if (node.isTextual()) {
            Matcher matcher = PORT_MAPPING.matcher(node.asText().strip());
            if (matcher.matches()) {
                int listen = Integer.parseInt(matcher.group(1));
                return matcher.group(2) == null
                        ? PortMapping.same(listen)
                        : new PortMapping(listen, Integer.parseInt(matcher.group(2)));
            }
        }
        report(path, describe(node), PORT_MAPPING_RULE);
        return new PortMapping(0, 0);
    }

    private PersistenceConfig persistence(JsonNode service, String path) {
        JsonNode persistence = mapping(value(service, "persistence"), path, PERSISTENCE_KEYS);
        if (persistence == null) {
            return PersistenceConfig.DEFAULT;
        }
        PersistenceScope scope = choice(persistence, "scope", path + ".scope", PersistenceScope.values(),
                PersistenceScope::configName, PersistenceConfig.DEFAULT_SCOPE);
        Duration timeout = duration(persistence, "timeout", path + ".timeout", PersistenceConfig.DEFAULT_TIMEOUT);
        long maxEntries = whole(value(persistence, "max-entries"), path + ".max-entries",
                PersistenceConfig.DEFAULT_MAX_ENTRIES, Long.MIN_VALUE, Long.MAX_VALUE, "at least 1",
                "an integer, at least 1");
        return new PersistenceConfig(scope, timeout, maxEntries);
    }

    private TlsConfig tls(JsonNode service, String path, ServiceType type) {
        JsonNode tls = mapping(value(service, "tls"), path, TLS_KEYS);
        if (tls == null) {
            return type == ServiceType.SSTP || type == ServiceType.IP_HTTPS
                    ? new TlsConfig(TlsConfig.DEFAULT_MODE, null, null)
                    : null;
        }
        TlsMode mode = choice(tls, "mode", path + ".mode", TlsMode.values(), TlsMode::configName,
                TlsConfig.DEFAULT_MODE);
        // Absent: the service type's default (TlsConfig.defaultClientAuth).
        ClientAuth clientAuth = value(tls, "client-auth") == null ? null : choice(tls, "client-auth",
                path + ".client-auth", ClientAuth.values(), ClientAuth::configName, ClientAuth.NONE);
        Duration sessionPersistence = value(tls, "session-persistence") == null ? null
                : duration(tls, "session-persistence", path + ".session-persistence",
                        TlsConfig.DEFAULT_SESSION_PERSISTENCE);
        Boolean memberNullEncryption = value(tls, "member-null-encryption") == null ? null
                : bool(tls, "member-null-encryption", path + ".member-null-encryption", false);
        return new TlsConfig(mode,
                text(tls, "certificate", path + ".certificate", null, "a file path"),
                text(tls, "password-file", path + ".password-file", null, "a file path"),
                clientAuth,
                text(tls, "client-ca", path + ".client-ca", null, "a file path"),
                text(tls, "crl", path + ".crl", null, "a file path"),
                sessionPersistence,
                memberNullEncryption);
    }

    private PoolConfig pool(JsonNode node, String path) {
        JsonNode pool = mapping(node, path, POOL_KEYS);
        if (pool == null) {
            return new PoolConfig("", PoolConfig.DEFAULT_ALGORITHM, List.of(), HealthCheckConfig.NONE,
                    PoolConfig.DEFAULT_MAGLEV_TABLE_SIZE);
        }
        String name = text(pool, "name", path + ".name", "", "a name");
        Algorithm algorithm = choice(pool, "algorithm", path + ".algorithm", Algorithm.values(),
                Algorithm::configName, PoolConfig.DEFAULT_ALGORITHM);
        List<MemberConfig> members = new ArrayList<>();
        JsonNode memberList = list(value(pool, "members"), path + ".members", "a list of members");
        for (int k = 0; memberList != null && k < memberList.size(); k++) {
            members.add(member(memberList.get(k), path + ".members[" + k + "]"));
        }
        HealthCheckConfig healthCheck = healthCheck(pool, path + ".health-check");
        int maglevTableSize = integer(pool, "maglev-table-size", path + ".maglev-table-size",
                PoolConfig.DEFAULT_MAGLEV_TABLE_SIZE, PoolConfig.MIN_MAGLEV_TABLE_SIZE,
                PoolConfig.MAX_MAGLEV_TABLE_SIZE);
        int minUpMembers = integer(pool, "min-up-members", path + ".min-up-members",
                PoolConfig.DEFAULT_MIN_UP_MEMBERS, 1, PoolConfig.MAX_MIN_UP_MEMBERS);
        ProxyProtocol proxyProtocol = choice(pool, "proxy-protocol", path + ".proxy-protocol", ProxyProtocol.values(),
                ProxyProtocol::configName, PoolConfig.DEFAULT_PROXY_PROTOCOL);
        return new PoolConfig(name, algorithm, members, healthCheck, maglevTableSize, minUpMembers, proxyProtocol);
    }

    private MemberConfig member(JsonNode node, String path) {
        JsonNode member = mapping(node, path, MEMBER_KEYS);
        if (member == null) {
            return new MemberConfig("", MemberConfig.PORT_FROM_SERVICE, MemberConfig.DEFAULT_WEIGHT,
                    MemberConfig.DEFAULT_PRIORITY);
        }
        String address = text(member, "address", path + ".address", "", "an IP address");
        int port = integer(member, "port", path + ".port", MemberConfig.PORT_FROM_SERVICE, 1, MAX_PORT);
        if (port == MemberConfig.PORT_FROM_SERVICE && value(member, "port") != null && !replaced(path + ".port")) {
            // An explicit 0 would silently mean "the service's port"; leaving the key out says that.
            report(path + ".port", "0", "1.." + MAX_PORT);
        }
        int weight = integer(member, "weight", path + ".weight", MemberConfig.DEFAULT_WEIGHT, 0,
                MemberConfig.MAX_WEIGHT);
        int priority = integer(member, "priority", path + ".priority", MemberConfig.DEFAULT_PRIORITY, 1,
                MemberConfig.MAX_PRIORITY);
        return new MemberConfig(address, port, weight, priority);
    }

    private HealthCheckConfig healthCheck(JsonNode pool, String path) {
        JsonNode check = mapping(value(pool, "health-check"), path, HEALTH_CHECK_KEYS);
        if (check == null) {
            return HealthCheckConfig.NONE;
        }
        HealthCheckType type = choice(check, "type", path + ".type", HealthCheckType.values(),
                HealthCheckType::configName, null);
        return new HealthCheckConfig(type == null ? HealthCheckType.NONE : type,
                duration(check, "interval", path + ".interval", HealthCheckConfig.DEFAULT_INTERVAL),
                duration(check, "timeout", path + ".timeout", HealthCheckConfig.DEFAULT_TIMEOUT),
                integer(check, "rise", path + ".rise", HealthCheckConfig.DEFAULT_RISE, 1, HealthCheckConfig.MAX_RISE),
                integer(check, "fall", path + ".fall", HealthCheckConfig.DEFAULT_FALL, 1, HealthCheckConfig.MAX_FALL),
                value(check, "https") == null ? null : bool(check, "https", path + ".https", true),
                statuses(value(check, "expect-status"), path + ".expect-status"));
    }

    /** {@code [200-299, 401]}, or the same as one text {@code "200-299, 401"}; the SSTP default when absent. */
    private List<StatusRange> statuses(JsonNode node, String path) {
        if (node == null) {
            return StatusRange.DEFAULT_SSTP;
        }
        List<String> items = new ArrayList<>();
        if (node.isArray()) {
            for (JsonNode item : node) {
                if (!isScalar(item)) {
                    report(path, describe(item), STATUS_RULE);
                    return StatusRange.DEFAULT_SSTP;
                }
                items.add(item.asText());
            }
        } else if (isScalar(node)) {
            items.addAll(List.of(node.asText().split(",")));
        } else {
            report(path, describe(node), STATUS_RULE);
            return StatusRange.DEFAULT_SSTP;
        }
        List<StatusRange> ranges = new ArrayList<>();
        for (String item : items) {
            StatusRange range = StatusRange.parse(item);
            if (range == null || range.from() < StatusRange.MIN_STATUS || range.to() > StatusRange.MAX_STATUS
                    || range.from() > range.to()) {
                report(path, item.strip().isEmpty() ? "\"\"" : item.strip(), STATUS_RULE);
                return StatusRange.DEFAULT_SSTP;
            }
            ranges.add(range);
        }
        if (ranges.isEmpty()) {
            report(path, "an empty list", STATUS_RULE);
            return StatusRange.DEFAULT_SSTP;
        }
        return ranges;
    }

    /** The value of {@code key}, or {@code null} when it is absent or an explicit YAML null. */
    private static JsonNode value(JsonNode mapping, String key) {
        JsonNode node = mapping.get(key);
        return node == null || node.isNull() ? null : node;
    }

    private static boolean isScalar(JsonNode node) {
        return node.isValueNode() && !node.isNull();
    }

    /** {@code node} when it is a mapping (its unknown keys reported), else {@code null}, reported unless absent. */
    private JsonNode mapping(JsonNode node, String path, List<String> keys) {
        if (node == null) {
            return null;
        }
        if (!node.isObject()) {
            report(path, describe(node), "a mapping with the keys " + String.join(", ", keys));
            return null;
        }
        checkKeys(node, path, keys);
        return node;
    }

    /** {@code node} when it is a list, else {@code null}, reported unless absent. */
    private JsonNode list(JsonNode node, String path, String expected) {
        if (node == null) {
            return null;
        }
        if (!node.isArray()) {
            report(path, describe(node), expected);
            return null;
        }
        return node;
    }

    private void checkKeys(JsonNode mapping, String path, List<String> keys) {
        for (Map.Entry<String, JsonNode> field : mapping.properties()) {
            String key = field.getKey();
            if (!keys.contains(key)) {
                report(child(path, key), "unknown key", oneOf(keys, key));
            }
        }
    }

    private static String oneOf(List<String> valid, String written) {
        String suggestion = Suggestions.nearest(written, valid);
        return "one of " + String.join(", ", valid) + (suggestion == null ? "" : "; did you mean " + suggestion + "?");
    }

    private String text(JsonNode mapping, String key, String path, String fallback, String expected) {
        JsonNode node = value(mapping, key);
        if (node == null) {
            return fallback;
        }
        if (isScalar(node)) {
            return node.asText();
        }
        report(path, describe(node), expected);
        return fallback;
    }

    private boolean bool(JsonNode mapping, String key, String path, boolean fallback) {
        JsonNode node = value(mapping, key);
        if (node == null) {
            return fallback;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isTextual() && (node.asText().equals("true") || node.asText().equals("false"))) {
            return Boolean.parseBoolean(node.asText());
        }
        report(path, describe(node), "true or false");
        return fallback;
    }

    /** An integer in {@code min..max}; beyond the range of int it is reported here, otherwise by the validator. */
    private int integer(JsonNode mapping, String key, String path, int fallback, int min, int max) {
        String range = min + ".." + max;
        return (int) whole(value(mapping, key), path, fallback, Integer.MIN_VALUE, Integer.MAX_VALUE, range,
                "an integer within " + range);
    }

    /**
     * A whole number, quoted or not. Values outside {@code lowest..highest} are reported with {@code range};
     * anything that is not a whole number with {@code wrongType}.
     */
    private long whole(JsonNode node, String path, long fallback, long lowest, long highest, String range,
            String wrongType) {
        if (node == null) {
            return fallback;
        }
        String digits = null;
        if (node.isIntegralNumber()) {
            digits = node.asText();
        } else if (node.isTextual() && INTEGER.matcher(node.asText().strip()).matches()) {
            digits = node.asText().strip();
        }
        if (digits == null) {
            report(path, describe(node), wrongType);
            return fallback;
        }
        long value;
        try {
            value = Long.parseLong(digits);
        } catch (NumberFormatException beyondLong) {
            report(path, digits, range);
            return fallback;
        }
        if (value < lowest || value > highest) {
            report(path, digits, range);
            return fallback;
        }
        return value;
    }

    private Duration duration(JsonNode mapping, String key, String path, Duration fallback) {
        JsonNode node = value(mapping, key);
        if (node == null) {
            return fallback;
        }
        Duration duration = null;
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            duration = Duration.ofSeconds(node.longValue());
        } else if (node.isTextual()) {
            duration = Durations.parse(node.asText());
        }
        if (duration == null) {
            report(path, describe(node), Durations.RULE);
            return fallback;
        }
        return duration;
    }

    /**
     * The constant whose configuration spelling is the value of {@code key}; {@code fallback} when the key is
     * absent, in which case a {@code null} fallback means the key is required and is reported as missing.
     */
    private <E extends Enum<E>> E choice(JsonNode mapping, String key, String path, E[] values,
            Function<E, String> configName, E fallback) {
        List<String> names = new ArrayList<>();
        for (E value : values) {
            names.add(configName.apply(value));
        }
        JsonNode node = value(mapping, key);
        if (node == null) {
            if (fallback == null) {
                report(path, "missing", "one of " + String.join(", ", names));
            }
            return fallback;
        }
        if (isScalar(node)) {
            int index = names.indexOf(node.asText());
            if (index >= 0) {
                return values[index];
            }
            report(path, describe(node), oneOf(names, node.asText()));
        } else {
            report(path, describe(node), "one of " + String.join(", ", names));
        }
        return fallback;
    }

    /** How a value is shown in a violation: scalars as written, containers by their kind. */
    static String describe(JsonNode node) {
        if (node.isObject()) {
            return "a mapping";
        }
        if (node.isArray()) {
            return "a list";
        }
        if (node.isNull()) {
            return "empty";
        }
        String text = node.asText();
        if (text.isEmpty()) {
            return "\"\"";
        }
        text = text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
        return text.length() > MAX_SHOWN_LENGTH ? text.substring(0, MAX_SHOWN_LENGTH - 3) + "..." : text;
    }

    private void report(String path, String value, String expected) {
        violations.add(new Violation(path, value, expected));
        replaced.add(path);
    }
}
