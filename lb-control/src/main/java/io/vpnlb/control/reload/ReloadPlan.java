package io.vpnlb.control.reload;

import io.vpnlb.config.Durations;
import io.vpnlb.config.LbConfig;
import io.vpnlb.config.PortMapping;
import io.vpnlb.config.ServiceConfig;
import io.vpnlb.config.Violation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Compares a validated new configuration with the running one and says how to apply it live.
 *
 * <p>In place, without touching any socket: pools (added, removed, members added or removed, weights,
 * priorities, algorithm, Maglev table size, health-check settings), and per service its {@code pool},
 * {@code session-idle-timeout}, {@code max-sessions}, {@code persistence} and {@code ike} settings. Services that
 * appear are <em>added</em> (their listeners bound), services that disappear are <em>removed</em> (their listeners
 * closed with their sessions and connections), and a service whose {@code type}, {@code listen}, {@code ports},
 * {@code source-nat} or {@code tls} changed is <em>replaced</em>: removed, then added again. Only the process-wide
 * settings need a restart and are violations: {@code transport}, {@code admin.listen}, {@code admin.token-file} and
 * {@code admin.tls} ({@code admin.metrics-token} is live). The applied configuration lists the running services in
 * their running order, then the added ones.
 */
public final class ReloadPlan {

    private static final String RESTART = "; changing it needs a restart";

    private final List<Violation> violations;
    private final LbConfig effective;
    private final List<String> serviceChanges;
    private final List<String> removed;
    private final List<String> added;

    private ReloadPlan(List<Violation> violations, LbConfig effective, List<String> serviceChanges,
                       List<String> removed, List<String> added) {
        this.violations = List.copyOf(violations);
        this.effective = effective;
        this.serviceChanges = List.copyOf(serviceChanges);
        this.removed = List.copyOf(removed);
        this.added = List.copyOf(added);
    }

    /** Plans the move from {@code running} to {@code next}; both passed validation. */
    public static ReloadPlan of(LbConfig running, LbConfig next) {
        List<Violation> violations = new ArrayList<>();
        List<String> changes = new ArrayList<>();
        if (running.transport() != next.transport()) {
            violations.add(new Violation("transport", next.transport().configName(),
                    "the running " + running.transport().configName() + RESTART));
        }
        if (!running.admin().listen().equals(next.admin().listen())) {
            violations.add(new Violation("admin.listen", next.admin().listen(),
                    "the running " + running.admin().listen() + RESTART));
        }
        if (!running.admin().tokenFile().equals(next.admin().tokenFile())) {
            violations.add(new Violation("admin.token-file", next.admin().tokenFile(),
                    "the running " + running.admin().tokenFile() + RESTART));
        }
        if (!Objects.equals(running.admin().tls(), next.admin().tls())) {
            violations.add(new Violation("admin.tls", next.admin().tls() == null ? "removed" : "changed",
                    "the running admin TLS settings" + RESTART));
        }
        Map<String, ServiceConfig> nextByName = new HashMap<>();
        for (ServiceConfig service : next.services()) {
            nextByName.put(service.name(), service);
        }
        List<ServiceConfig> ordered = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<String> added = new ArrayList<>();
        for (ServiceConfig old : running.services()) {
            ServiceConfig now = nextByName.remove(old.name());
            if (now == null) {
                removed.add(old.name());
                changes.add("service " + old.name() + " removed: its listeners, sessions and connections closed");
                continue;
            }
            ordered.add(now);
            String rebind = rebindReason(old, now);
            if (rebind != null) {
                removed.add(old.name());
                added.add(now.name());
                changes.add("service " + old.name() + " replaced (" + rebind + "): its sessions and connections "
                        + "closed, its listeners bound again");
            }
            compare(old, now, changes);
        }
        for (ServiceConfig service : next.services()) {
            if (nextByName.containsKey(service.name())) {
                ordered.add(service);
                added.add(service.name());
                changes.add("service " + service.name() + " added (" + service.type().configName() + " on "
                        + service.listen() + " ports " + ports(service.ports()) + ")");
            }
        }
        LbConfig effective = violations.isEmpty()
                ? new LbConfig(next.transport(), next.admin(), ordered, next.pools())
                : null;
        return new ReloadPlan(violations, effective, changes, removed, added);
    }

    /** What makes {@code now} need its listeners bound again, or {@code null} when they can stay. */
    private static String rebindReason(ServiceConfig old, ServiceConfig now) {
        List<String> reasons = new ArrayList<>();
        if (old.type() != now.type()) {
            reasons.add("type " + old.type().configName() + " -> " + now.type().configName());
        }
        if (!old.listen().equals(now.listen())) {
            reasons.add("listen " + old.listen() + " -> " + now.listen());
        }
        if (!old.ports().equals(now.ports())) {
            reasons.add("ports " + ports(old.ports()) + " -> " + ports(now.ports()));
        }
        if (old.sourceNat() != now.sourceNat()) {
            reasons.add("source-nat " + old.sourceNat() + " -> " + now.sourceNat());
        }
        if (!Objects.equals(old.tls(), now.tls())) {
            reasons.add("tls settings changed");
        }
        return reasons.isEmpty() ? null : String.join(", ", reasons);
    }

    private static void compare(ServiceConfig old, ServiceConfig now, List<String> changes) {
        live(changes, "service " + old.name() + ": ike", old.ike(), now.ike());
        live(changes, "service " + old.name() + ": persistence.scope", old.persistence().scope().configName(),
                now.persistence().scope().configName());
        live(changes, "service " + old.name() + ": pool", old.pool(), now.pool());
        live(changes, "service " + old.name() + ": session-idle-timeout", old.sessionIdleTimeout(),
                now.sessionIdleTimeout());
        live(changes, "service " + old.name() + ": max-sessions", old.maxSessions(), now.maxSessions());
        live(changes, "service " + old.name() + ": persistence.timeout", old.persistence().timeout(),
                now.persistence().timeout());
        live(changes, "service " + old.name() + ": persistence.max-entries", old.persistence().maxEntries(),
                now.persistence().maxEntries());
    }

    private static void live(List<String> changes, String what, Object before, Object after) {
        if (before instanceof Duration beforeDuration && after instanceof Duration afterDuration) {
            before = Durations.format(beforeDuration);
            after = Durations.format(afterDuration);
        }
        if (!before.equals(after)) {
            changes.add(what + " " + before + " -> " + after);
        }
    }

    private static String ports(List<PortMapping> ports) {
        return ports.toString();
    }

    /** Why the configuration cannot be applied live; empty when it can. */
    public List<Violation> violations() {
        return violations;
    }

    /** The configuration to apply: the new one with the services in the running order. {@code null} if rejected. */
    public LbConfig effective() {
        return effective;
    }

    /** The service-level changes, one line each. */
    public List<String> serviceChanges() {
        return serviceChanges;
    }

    /** Services whose listeners close: removed ones and replaced ones, in the running order. */
    public List<String> removed() {
        return removed;
    }

    /** Services whose listeners are bound: replaced ones and added ones, in the applied order. */
    public List<String> added() {
        return added;
    }
}
