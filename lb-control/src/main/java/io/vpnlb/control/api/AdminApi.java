package io.vpnlb.control.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vpnlb.config.Durations;
import io.vpnlb.config.LbConfig;
import io.vpnlb.config.MemberConfig;
import io.vpnlb.config.PoolConfig;
import io.vpnlb.config.PortMapping;
import io.vpnlb.config.ServiceConfig;
import io.vpnlb.config.Violation;
import io.vpnlb.config.validate.Addresses;
import io.vpnlb.control.metrics.VpnlbMetrics;
import io.vpnlb.config.cert.CertificateBundle;
import io.vpnlb.control.persistence.PersistenceTable;
import io.vpnlb.control.persistence.SaTable;
import io.vpnlb.control.pool.AdminState;
import io.vpnlb.control.pool.MemberState;
import io.vpnlb.control.pool.PoolManager;
import io.vpnlb.control.reload.ConfigReloader;
import io.vpnlb.control.reload.ReloadResult;
import io.vpnlb.dataplane.snapshot.DataPlaneSnapshot;
import io.vpnlb.dataplane.snapshot.MemberSnapshot;
import io.vpnlb.dataplane.snapshot.PoolSnapshot;
import io.vpnlb.dataplane.snapshot.ServiceSnapshot;
import io.vpnlb.dataplane.tcp.TcpCounters;
import io.vpnlb.dataplane.tcp.TcpDataPlane;
import io.vpnlb.dataplane.tcp.TcpDropReason;
import io.vpnlb.dataplane.tcp.TcpListenerGroup;
import io.vpnlb.dataplane.udp.DropReason;
import io.vpnlb.dataplane.udp.ListenerCounters;
import io.vpnlb.dataplane.udp.UdpDataPlane;
import io.vpnlb.dataplane.udp.UdpListenerGroup;
import io.netty.channel.Channel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The admin API's routes, as plain request-to-response functions (the Netty glue is {@link AdminServer}).
 *
 * <p>Public: {@code GET /} (status page and its assets), {@code /healthz}, {@code /readyz}, {@code /metrics}
 * (unless {@code admin.metrics-token} is on), {@code /api/v1/openapi.json}. Everything else under {@code /api/v1/}
 * needs {@code Authorization: Bearer TOKEN}.
 * Errors are JSON: {@code {"error": "..."}}, plus {@code "violations"} for 422.
 */
public final class AdminApi {

    static final String API = "/api/v1/";
    private static final String STATIC = "/io/vpnlb/control/api/static/";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> PATCH_KEYS = Set.of("admin_state", "weight");

    private final PoolManager pools;
    private final TcpDataPlane tcp;
    private final UdpDataPlane udp;
    private final VpnlbMetrics metrics;
    private final ConfigReloader reloader;
    private final AdminToken token;
    private final AuthFailureLimiter limiter = new AuthFailureLimiter();
    private final Map<String, AdminResponse> assets = new LinkedHashMap<>();

    public AdminApi(PoolManager pools, UdpDataPlane udp, VpnlbMetrics metrics, ConfigReloader reloader,
                    AdminToken token) {
        this(pools, udp, null, metrics, reloader, token);
    }

    /** @param tcp the TCP listeners whose certificates {@code /api/v1/certificates} lists; {@code null} for none */
    public AdminApi(PoolManager pools, UdpDataPlane udp, TcpDataPlane tcp, VpnlbMetrics metrics,
                    ConfigReloader reloader, AdminToken token) {
        this.tcp = tcp;
        this.pools = pools;
        this.udp = udp;
        this.metrics = metrics;
        this.reloader = reloader;
        this.token = token;
        asset("/", "index.html", "text/html; charset=utf-8");
        asset("/index.html", "index.html", "text/html; charset=utf-8");
        asset("/status.js", "status.js", "text/javascript; charset=utf-8");
        asset("/status.css", "status.css", "text/css; charset=utf-8");
        asset("/api/v1/openapi.json", "openapi.json", AdminResponse.JSON);
    }

    private void asset(String path, String resource, String contentType) {
        try (InputStream in = AdminApi.class.getResourceAsStream(STATIC + resource)) {
            if (in == null) {
                throw new IllegalStateException(STATIC + resource + " is missing from the classpath");
            }
            assets.put(path, new AdminResponse(HttpResponseStatus.OK, contentType, in.readAllBytes(),
                    Map.of("Cache-Control", "no-cache")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Answers one request.
     *
     * @param authorization the {@code Authorization} header, or {@code null}
     */
    public AdminResponse handle(HttpMethod method, String uri, String authorization, byte[] body) {
        return handle(method, uri, authorization, body, null);
    }

    /**
     * Answers one request from {@code source}: a source that keeps sending wrong tokens is refused for a while
     * (see {@link AuthFailureLimiter}).
     *
     * @param source the client's address, or {@code null} when unknown
     */
    public AdminResponse handle(HttpMethod method, String uri, String authorization, byte[] body,
                                InetAddress source) {
        QueryStringDecoder decoder = new QueryStringDecoder(uri);
        String path = decoder.rawPath();
        Map<String, List<String>> query = decoder.parameters();
        AdminResponse asset = assets.get(path);
        if (asset != null) {
            return method == HttpMethod.GET ? asset : notAllowed("GET");
        }
        switch (path) {
            case "/healthz":
                return method == HttpMethod.GET ? json(HttpResponseStatus.OK, object().put("status", "alive"))
                        : notAllowed("GET");
            case "/readyz":
                return method == HttpMethod.GET ? ready() : notAllowed("GET");
            case "/metrics":
                if (method != HttpMethod.GET) {
                    return notAllowed("GET");
                }
                // Read per request: a reload that turns admin.metrics-token on or off applies at once.
                if (pools.config().admin().metricsToken()) {
                    AdminResponse refused = authenticate(authorization, source);
                    if (refused != null) {
                        return refused;
                    }
                }
                return AdminResponse.of(HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8",
                        metrics.scrape().getBytes(StandardCharsets.UTF_8));
            default:
                break;
        }
        if (!path.startsWith(API)) {
            return error(HttpResponseStatus.NOT_FOUND, "no such page: " + path);
        }
        AdminResponse refused = authenticate(authorization, source);
        if (refused != null) {
            return refused;
        }
        String[] segments = segments(path.substring(API.length()));
        try {
            return route(method, segments, query, body);
        } catch (RuntimeException e) {
            return error(HttpResponseStatus.INTERNAL_SERVER_ERROR, e.toString());
        }
    }

    /** {@code null} when the request may go on, else the refusal: 429 for a locked-out source, 401. */
    private AdminResponse authenticate(String authorization, InetAddress source) {
        if (limiter.locked(source)) {
            if (metrics != null) {
                metrics.adminRefused(true);
            }
            return new AdminResponse(HttpResponseStatus.TOO_MANY_REQUESTS, AdminResponse.JSON,
                    bytes(object().put("error", "too many wrong tokens from this address; try again later")),
                    Map.of("Retry-After", Long.toString(AuthFailureLimiter.WINDOW.toSeconds())));
        }
        if (!authorized(authorization)) {
            limiter.failed(source);
            if (metrics != null) {
                metrics.adminRefused(false);
            }
            return unauthorized(authorization);
        }
        return null;
    }

    /** Requests refused because their source sent too many wrong tokens. */
    public long lockedOutRequests() {
        return limiter.refused();
    }

    private static AdminResponse unauthorized(String authorization) {
        return new AdminResponse(HttpResponseStatus.UNAUTHORIZED, AdminResponse.JSON,
                bytes(object().put("error", authorization == null
                        ? "missing bearer token (Authorization: Bearer TOKEN; the token is in admin.token-file)"
                        : "wrong bearer token")),
                Map.of("WWW-Authenticate", "Bearer realm=\"vpnlb\""));
    }

    private boolean authorized(String authorization) {
        if (authorization == null) {
            return false;
        }
        String prefix = "bearer ";
        if (authorization.length() < prefix.length()
                || !authorization.substring(0, prefix.length()).toLowerCase(Locale.ROOT).equals(prefix)) {
            return false;
        }
        return token.matches(authorization.substring(prefix.length()).strip());
    }

    private AdminResponse route(HttpMethod method, String[] segments, Map<String, List<String>> query, byte[] body) {
        String first = segments.length > 0 ? segments[0] : "";
        switch (first) {
            case "services":
                if (segments.length == 1) {
                    return method == HttpMethod.GET ? services() : notAllowed("GET");
                }
                break;
            case "pools":
                if (segments.length == 1) {
                    return method == HttpMethod.GET ? pools() : notAllowed("GET");
                }
                if (segments.length == 3 && segments[2].equals("members")) {
                    return method == HttpMethod.GET ? members(segments[1]) : notAllowed("GET");
                }
                if (segments.length == 4 && segments[2].equals("members")) {
                    return method == HttpMethod.PATCH ? patchMember(segments[1], segments[3], body)
                            : method == HttpMethod.GET ? getMember(segments[1], segments[3]) : notAllowed("GET, PATCH");
                }
                break;
            case "persistence":
                if (segments.length == 1) {
                    if (method == HttpMethod.GET) {
                        return persistence(query, false);
                    }
                    return method == HttpMethod.DELETE ? persistence(query, true) : notAllowed("GET, DELETE");
                }
                break;
            case "certificates":
                if (segments.length == 1) {
                    return method == HttpMethod.GET ? certificates() : notAllowed("GET");
                }
                break;
            case "reload":
                if (segments.length == 1) {
                    return method == HttpMethod.POST ? reload() : notAllowed("POST");
                }
                break;
            default:
                break;
        }
        return error(HttpResponseStatus.NOT_FOUND, "no such endpoint: " + API + String.join("/", segments)
                + " (see " + API + "openapi.json)");
    }

    // ---- readiness ------------------------------------------------------------------------------------------

    private AdminResponse ready() {
        List<String> reasons = new ArrayList<>();
        for (UdpListenerGroup group : udp.listeners()) {
            for (Channel channel : group.channels()) {
                if (!channel.isActive()) {
                    reasons.add("listener " + group.listener().name() + " is not bound");
                    break;
                }
            }
        }
        for (ServiceSnapshot service : pools.snapshot().services()) {
            if (service.pool().selectable().isEmpty()) {
                reasons.add("service " + service.name() + ": no member of pool " + service.pool().name()
                        + " takes new clients");
            }
        }
        ObjectNode answer = object().put("ready", reasons.isEmpty());
        ArrayNode list = answer.putArray("reasons");
        reasons.forEach(list::add);
        return json(reasons.isEmpty() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, answer);
    }

    // ---- services -------------------------------------------------------------------------------------------

    private AdminResponse services() {
        LbConfig config = pools.config();
        ObjectNode answer = object();
        ArrayNode list = answer.putArray("services");
        for (ServiceConfig service : config.services()) {
            ObjectNode node = list.addObject();
            node.put("name", service.name());
            node.put("type", service.type().configName());
            node.put("listen", service.listen());
            node.put("pool", service.pool());
            node.put("source_nat", service.sourceNat());
            node.put("session_idle_timeout", Durations.format(service.sessionIdleTimeout()));
            node.put("max_sessions", service.maxSessions());
            ObjectNode persistence = node.putObject("persistence");
            persistence.put("scope", service.persistence().scope().configName());
            persistence.put("timeout", Durations.format(service.persistence().timeout()));
            persistence.put("max_entries", service.persistence().maxEntries());
            PersistenceTable table = pools.router().table(service.name());
            if (table != null) {
                persistence.put("table", table.scope());
                persistence.put("entries", table.size());
            }
            ArrayNode listeners = node.putArray("listeners");
            long active = 0;
            for (PortMapping port : service.ports()) {
                ObjectNode listener = listeners.addObject();
                listener.put("name", service.name() + "/" + port.listenPort());
                listener.put("protocol", service.type().datagram() ? "udp" : "tcp");
                listener.put("listen_port", port.listenPort());
                listener.put("member_port", port.memberPort());
                if (!service.type().datagram()) {
                    active += tcpListener(listener, service.name(), port.listenPort());
                    continue;
                }
                UdpListenerGroup group = group(service.name(), port.listenPort());
                listener.put("bound", group != null);
                if (group != null) {
                    ListenerCounters counters = group.counters();
                    listener.put("sockets", group.channels().size());
                    listener.put("rx_datagrams", counters.rxDatagrams());
                    listener.put("rx_bytes", counters.rxBytes());
                    listener.put("tx_datagrams", counters.txDatagrams());
                    listener.put("tx_bytes", counters.txBytes());
                    long listenerActive = counters.sessionsCreated() - counters.sessionsClosed();
                    active += listenerActive;
                    listener.put("sessions_active", listenerActive);
                    listener.put("sessions_created", counters.sessionsCreated());
                    listener.put("sessions_expired", counters.sessionsExpired());
                    listener.put("sessions_closed", counters.sessionsClosed());
                    listener.put("upstream_errors", counters.upstreamErrors());
                    ObjectNode drops = listener.putObject("drops");
                    for (DropReason reason : DropReason.values()) {
                        drops.put(reason.metricName(), counters.drops(reason));
                    }
                }
            }
            node.put("sessions_active", active);
        }
        return json(HttpResponseStatus.OK, answer);
    }

    /**
     * The counters of a TCP listener (connections, bytes, drops; SSTP and TLS counters where they apply).
     *
     * @return its open connections, 0 when it is not bound
     */
    private long tcpListener(ObjectNode listener, String service, int listenPort) {
        TcpListenerGroup group = tcpGroup(service, listenPort);
        listener.put("bound", group != null);
        if (group == null) {
            return 0;
        }
        TcpCounters counters = group.counters();
        listener.put("mode", group.mode());
        listener.put("sessions_active", counters.active());
        listener.put("connections_accepted", counters.accepted());
        listener.put("connections_opened", counters.opened());
        listener.put("connections_closed", counters.closed());
        listener.put("connect_retries", counters.connectRetries());
        listener.put("rx_bytes", counters.rxBytes());
        listener.put("tx_bytes", counters.txBytes());
        listener.put("tls_session_routes", counters.tlsSessionRoutes());
        listener.put("sstp_requests", counters.sstpRequests());
        listener.put("crypto_bindings_matched", counters.cryptoBindingsMatched());
        listener.put("crypto_bindings_intercepted", counters.cryptoBindingsIntercepted());
        listener.put("crypto_bindings_rejected_by_member", counters.cryptoBindingsRejectedByMember());
        ObjectNode drops = listener.putObject("drops");
        for (TcpDropReason reason : TcpDropReason.values()) {
            drops.put(reason.metricName(), counters.drops(reason));
        }
        return counters.active();
    }

    private UdpListenerGroup group(String service, int listenPort) {
        for (UdpListenerGroup group : udp.listeners()) {
            if (group.serviceName().equals(service) && group.listener().listenPort() == listenPort) {
                return group;
            }
        }
        return null;
    }

    private TcpListenerGroup tcpGroup(String service, int listenPort) {
        if (tcp != null) {
            for (TcpListenerGroup group : tcp.listeners()) {
                if (group.serviceName().equals(service) && group.listener().listenPort() == listenPort) {
                    return group;
                }
            }
        }
        return null;
    }

    // ---- pools and members ----------------------------------------------------------------------------------

    private AdminResponse pools() {
        DataPlaneSnapshot snapshot = pools.snapshot();
        LbConfig config = pools.config();
        ObjectNode answer = object();
        ArrayNode list = answer.putArray("pools");
        for (PoolConfig pool : config.pools()) {
            ObjectNode node = list.addObject();
            node.put("name", pool.name());
            node.put("algorithm", pool.algorithm().configName());
            node.put("health_check", pool.healthCheck().type().configName());
            ArrayNode services = node.putArray("services");
            for (ServiceConfig service : config.services()) {
                if (service.pool().equals(pool.name())) {
                    services.add(service.name());
                }
            }
            List<MemberState> members = pools.members(pool.name());
            node.put("members", members == null ? 0 : members.size());
            PoolSnapshot built = poolSnapshot(snapshot, pool.name());
            ArrayNode selectable = node.putArray("selectable");
            if (built != null) {
                for (MemberSnapshot member : built.selectable()) {
                    MemberState state = pools.member(pool.name(), member.key());
                    selectable.add(state == null ? member.key() : VpnlbMetrics.display(state));
                }
                if (!built.selectable().isEmpty()) {
                    node.put("active_priority", built.selectable().get(0).priority());
                } else {
                    node.putNull("active_priority");
                }
            }
            long active = 0;
            if (members != null) {
                for (MemberState member : members) {
                    active += member.stats().activeSessions();
                }
            }
            node.put("sessions_active", active);
        }
        return json(HttpResponseStatus.OK, answer);
    }

    /** The pool as the data plane sees it; pools used by no service are built too, so look in the pools map. */
    private static PoolSnapshot poolSnapshot(DataPlaneSnapshot snapshot, String pool) {
        for (ServiceSnapshot service : snapshot.services()) {
            if (service.pool().name().equals(pool)) {
                return service.pool();
            }
        }
        return null;
    }

    private AdminResponse members(String pool) {
        List<MemberState> members = pools.members(pool);
        if (members == null) {
            return unknownPool(pool);
        }
        ObjectNode answer = object().put("pool", pool);
        ArrayNode list = answer.putArray("members");
        PoolSnapshot built = poolSnapshot(pools.snapshot(), pool);
        for (MemberState member : members) {
            list.add(member(member, built));
        }
        return json(HttpResponseStatus.OK, answer);
    }

    private AdminResponse getMember(String pool, String address) {
        Object found = findMember(pool, address);
        if (found instanceof AdminResponse failure) {
            return failure;
        }
        return json(HttpResponseStatus.OK, member((MemberState) found, poolSnapshot(pools.snapshot(), pool)));
    }

    private ObjectNode member(MemberState member, PoolSnapshot built) {
        ObjectNode node = object();
        node.put("member", VpnlbMetrics.display(member));
        node.put("key", member.key());
        node.put("address", member.address().getHostAddress());
        if (member.config().port() == 0) {
            node.putNull("port");
        } else {
            node.put("port", member.config().port());
        }
        node.put("weight", member.weight());
        node.put("configured_weight", member.config().weight());
        node.put("priority", member.config().priority());
        node.put("health", member.health().name().toLowerCase(Locale.ROOT));
        node.put("admin_state", member.adminState().apiName());
        node.put("eligible", member.eligible());
        node.put("serving", member.serving());
        boolean selectable = false;
        if (built != null) {
            for (MemberSnapshot candidate : built.selectable()) {
                selectable |= candidate.key().equals(member.key());
            }
        }
        node.put("selectable", selectable);
        node.put("active_sessions", member.stats().activeSessions());
        node.put("selections", member.stats().selections());
        node.put("last_check", member.lastCheck());
        node.put("health_since", Instant.ofEpochMilli(member.healthSinceMillis()).toString());
        node.put("went_down", member.wentDown());
        node.put("came_up", member.cameUp());
        return node;
    }

    /**
     * The member of {@code pool} named by {@code text}: {@code address} (when one member has it) or
     * {@code address:port} ({@code [v6]:port}; port 0 = the member whose port comes from the listener). Returns the
     * {@link MemberState}, or the error response.
     */
    private Object findMember(String pool, String text) {
        List<MemberState> members = pools.members(pool);
        if (members == null) {
            return unknownPool(pool);
        }
        InetAddress address = Addresses.parseIp(text);
        int port = -1;
        if (address == null) {
            int colon = text.lastIndexOf(':');
            if (colon > 0) {
                String host = text.substring(0, colon);
                if (host.startsWith("[") && host.endsWith("]")) {
                    host = host.substring(1, host.length() - 1);
                }
                address = Addresses.parseIp(host);
                try {
                    port = Integer.parseInt(text.substring(colon + 1));
                } catch (NumberFormatException e) {
                    address = null;
                }
            }
        }
        if (address == null || port > 65535) {
            return error(HttpResponseStatus.NOT_FOUND, "pool " + pool + " has no member " + text
                    + " (expected: ADDRESS or ADDRESS:PORT of one of " + memberNames(members) + ")");
        }
        List<MemberState> found = new ArrayList<>();
        for (MemberState member : members) {
            if (member.address().equals(address) && (port < 0 || member.config().port() == port)) {
                found.add(member);
            }
        }
        if (found.isEmpty()) {
            return error(HttpResponseStatus.NOT_FOUND, "pool " + pool + " has no member " + text
                    + " (members: " + memberNames(members) + ")");
        }
        if (found.size() > 1) {
            return error(HttpResponseStatus.CONFLICT, "pool " + pool + " has " + found.size() + " members at "
                    + text + "; name one as ADDRESS:PORT (" + memberNames(found) + ")");
        }
        return found.get(0);
    }

    private static String memberNames(List<MemberState> members) {
        List<String> names = new ArrayList<>();
        for (MemberState member : members) {
            names.add(VpnlbMetrics.display(member));
        }
        return String.join(", ", names);
    }

    private AdminResponse patchMember(String pool, String address, byte[] body) {
        Object found = findMember(pool, address);
        if (found instanceof AdminResponse failure) {
            return failure;
        }
        MemberState member = (MemberState) found;
        List<Violation> violations = new ArrayList<>();
        JsonNode root = parseObject(body, violations);
        AdminState state = null;
        Integer weight = null;
        if (root != null) {
            for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!PATCH_KEYS.contains(name)) {
                    violations.add(new Violation(name, "unknown key", "one of admin_state, weight"));
                }
            }
            JsonNode stateNode = root.get("admin_state");
            if (stateNode != null) {
                state = stateNode.isTextual() ? AdminState.fromApiName(stateNode.asText()) : null;
                if (state == null) {
                    violations.add(new Violation("admin_state", stateNode.toString(), "one of ready, drain, maint"));
                }
            }
            JsonNode weightNode = root.get("weight");
            if (weightNode != null) {
                if (weightNode.isIntegralNumber() && weightNode.canConvertToInt()
                        && weightNode.asInt() >= 0 && weightNode.asInt() <= MemberConfig.MAX_WEIGHT) {
                    weight = weightNode.asInt();
                } else {
                    violations.add(new Violation("weight", weightNode.toString(), "an integer 0.." + MemberConfig.MAX_WEIGHT));
                }
            }
            if (stateNode == null && weightNode == null && violations.isEmpty()) {
                violations.add(new Violation("(body)", root.toString(), "at least one of admin_state, weight"));
            }
        }
        if (!violations.isEmpty()) {
            return invalid("the member is unchanged", violations);
        }
        if (state != null) {
            pools.adminState(member, state);
        }
        if (weight != null) {
            pools.weight(member, weight);
        }
        MemberState now = pools.member(pool, member.key());
        return json(HttpResponseStatus.OK, member(now == null ? member : now, poolSnapshot(pools.snapshot(), pool)));
    }

    private static JsonNode parseObject(byte[] body, List<Violation> violations) {
        if (body == null || body.length == 0) {
            violations.add(new Violation("(body)", "empty", "a JSON object such as {\"admin_state\": \"drain\"}"));
            return null;
        }
        try {
            JsonNode root = JSON.readTree(body);
            if (root == null || !root.isObject()) {
                violations.add(new Violation("(body)", root == null ? "empty" : root.getNodeType().name().toLowerCase(Locale.ROOT),
                        "a JSON object such as {\"admin_state\": \"drain\"}"));
                return null;
            }
            return root;
        } catch (IOException e) {
            // JsonProcessingException, or CharConversionException for bytes in no Unicode encoding (e.g. "UTF-32")
            String reason = e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
            violations.add(new Violation("(body)", "not JSON: " + String.valueOf(reason).replaceAll("\\s+", " "),
                    "a JSON object such as {\"admin_state\": \"drain\"}"));
            return null;
        }
    }

    private AdminResponse unknownPool(String pool) {
        return error(HttpResponseStatus.NOT_FOUND, "no pool " + pool + " (pools: "
                + String.join(", ", pools.poolNames()) + ")");
    }

    // ---- persistence ----------------------------------------------------------------------------------------

    private AdminResponse persistence(Map<String, List<String>> query, boolean delete) {
        List<Violation> violations = new ArrayList<>();
        for (String name : query.keySet()) {
            if (!name.equals("client") && !name.equals("member") && !(delete && name.equals("all"))) {
                violations.add(new Violation(name, "unknown query parameter",
                        delete ? "client=IP, member=IP or all=true" : "client=IP and/or member=IP"));
            }
        }
        InetAddress client = ip(query, "client", violations);
        InetAddress member = ip(query, "member", violations);
        boolean all = false;
        if (delete) {
            List<String> allValues = query.get("all");
            all = allValues != null && allValues.size() == 1 && allValues.get(0).equals("true");
            if (allValues != null && !all) {
                violations.add(new Violation("all", String.join(",", allValues), "true"));
            }
            if (violations.isEmpty() && client == null && member == null && !all) {
                violations.add(new Violation("(query)", "none", "client=IP, member=IP or all=true"));
            }
            if (all && (client != null || member != null)) {
                violations.add(new Violation("all", "true", "alone, without client or member"));
            }
        }
        if (!violations.isEmpty()) {
            return invalid(delete ? "nothing was removed" : "invalid filter", violations);
        }
        if (!delete) {
            ObjectNode answer = object();
            ArrayNode entries = answer.putArray("entries");
            long count = 0;
            for (PersistenceTable table : pools.router().tables()) {
                for (PersistenceTable.Entry entry : table.entries(client, member)) {
                    entries.addObject().put("scope", table.scope())
                            .put("client", entry.client().getHostAddress())
                            .put("member", entry.member().getHostAddress());
                    count++;
                }
            }
            answer.put("count", count);
            // SA tables (SPI-aware routing) know members, not clients: listed unless a client is asked for.
            ArrayNode sas = answer.putArray("sas");
            long saCount = 0;
            if (client == null) {
                for (SaTable table : pools.router().saTables()) {
                    for (SaTable.Entry entry : table.entries(member)) {
                        sas.addObject().put("kind", entry.kind()).put("spi", entry.spi())
                                .put("member", entry.member().getHostAddress());
                        saCount++;
                    }
                }
            }
            answer.put("sa_count", saCount);
            return json(HttpResponseStatus.OK, answer);
        }
        long removed = 0;
        for (PersistenceTable table : pools.router().tables()) {
            if (all) {
                removed += table.clear();
            } else if (client != null) {
                List<PersistenceTable.Entry> matching = table.entries(client, member);
                if (!matching.isEmpty() && table.removeClient(client)) {
                    removed++;
                }
            } else {
                removed += table.removeMemberCounted(member);
            }
        }
        long removedSas = 0;
        if (client == null) {
            for (SaTable table : pools.router().saTables()) {
                removedSas += all ? table.clear() : table.removeMemberCounted(member);
            }
        }
        return json(HttpResponseStatus.OK, object().put("removed", removed).put("removed_sas", removedSas));
    }

    private static InetAddress ip(Map<String, List<String>> query, String name, List<Violation> violations) {
        List<String> values = query.get(name);
        if (values == null) {
            return null;
        }
        InetAddress address = values.size() == 1 ? Addresses.parseIp(values.get(0)) : null;
        if (address == null) {
            violations.add(new Violation(name, String.join(",", values), "one IP address"));
        }
        return address;
    }

    // ---- certificates and reload ----------------------------------------------------------------------------

    private AdminResponse certificates() {
        ObjectNode answer = object();
        ArrayNode list = answer.putArray("certificates");
        Instant now = Instant.now();
        if (tcp != null) {
            for (CertificateBundle bundle : tcp.certificates()) {
                ObjectNode node = list.addObject();
                node.put("file", bundle.source() == null ? null : bundle.source().toString());
                node.put("subject", bundle.subject());
                node.put("issuer", bundle.issuer());
                ArrayNode sans = node.putArray("subject_alternative_names");
                bundle.subjectAlternativeNames().forEach(sans::add);
                node.put("not_before", bundle.notBefore().toString());
                node.put("not_after", bundle.notAfter().toString());
                node.put("days_left", Duration.between(now, bundle.notAfter()).toDays());
                node.put("expired", bundle.expiredAt(now));
                node.put("chain_length", bundle.chain().size());
                node.put("sha1", CertificateBundle.upperHex(bundle.sha1()));
                node.put("sha256", CertificateBundle.upperHex(bundle.sha256()));
            }
        }
        return json(HttpResponseStatus.OK, answer);
    }

    private AdminResponse reload() {
        ReloadResult result = reloader.reload();
        ObjectNode answer = object().put("result", result.outcome().apiName()).put("version", result.version());
        switch (result.outcome()) {
            case APPLIED, UNCHANGED -> {
                ArrayNode changes = answer.putArray("changes");
                result.changes().forEach(changes::add);
                return json(HttpResponseStatus.OK, answer);
            }
            case REJECTED -> {
                answer.put("error", "configuration rejected; the running configuration is unchanged");
                violations(answer, result.violations());
                return json(HttpResponseStatus.UNPROCESSABLE_ENTITY, answer);
            }
            default -> {
                answer.put("error", "vpnlb runs on the embedded default configuration; there is no file to "
                        + "reload (start it with --config FILE)");
                return json(HttpResponseStatus.CONFLICT, answer);
            }
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private static String[] segments(String rest) {
        if (rest.isEmpty()) {
            return new String[0];
        }
        String[] raw = rest.split("/", -1);
        String[] decoded = new String[raw.length];
        for (int i = 0; i < raw.length; i++) {
            decoded[i] = QueryStringDecoder.decodeComponent(raw[i]);
        }
        return decoded;
    }

    private static ObjectNode object() {
        return JSON.createObjectNode();
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static AdminResponse json(HttpResponseStatus status, JsonNode node) {
        return AdminResponse.of(status, AdminResponse.JSON, bytes(node));
    }

    static AdminResponse error(HttpResponseStatus status, String message) {
        return json(status, object().put("error", message));
    }

    private static AdminResponse notAllowed(String allow) {
        return new AdminResponse(HttpResponseStatus.METHOD_NOT_ALLOWED, AdminResponse.JSON,
                bytes(object().put("error", "method not allowed (allowed: " + allow + ")")), Map.of("Allow", allow));
    }

    private static AdminResponse invalid(String message, List<Violation> violations) {
        ObjectNode answer = object().put("error", message);
        violations(answer, violations);
        return json(HttpResponseStatus.UNPROCESSABLE_ENTITY, answer);
    }

    private static void violations(ObjectNode answer, List<Violation> violations) {
        ArrayNode list = answer.putArray("violations");
        for (Violation violation : violations) {
            list.addObject().put("message", violation.toString()).put("path", violation.path())
                    .put("value", violation.value()).put("expected", violation.expected());
        }
    }
}
