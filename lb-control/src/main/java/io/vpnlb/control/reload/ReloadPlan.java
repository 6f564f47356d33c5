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
 * Compares a validated new configuration with the running one and says whether it can be applied live.
 *
 * <p>Live: pools (added, removed, members added or removed, weights, priorities, algorithm, Maglev table size,
 * health-check settings), and per service its {@code pool}, {@code session-idle-timeout}, {@code max-sessions},
 * {@code persistence.timeout} and {@code persistence.max-entries}. Everything that would open, close or re-bind a
 * socket or a persistence table needs a restart and is a violation: {@code transport}, {@code admin.listen},
 * {@code admin.token-file}, {@code admin.tls} ({@code admin.metrics-token} is live), adding,
 * removing or renaming a service, and a service's {@code type}, {@code listen}, {@code ports},
 * {@code source-nat}, {@code persistence.scope} or {@code tls}. Services may be listed in another order: the
 * applied configuration keeps the running order, so the data plane's service indices stay stable.
 */
public final class ReloadPlan {

    private static final String RESTART = "; changing it needs a restart";

    private final List<Violation> violations;
    private final LbConfig effective;
    private final List<String> serviceChanges;

    private ReloadPlan(List<Violation> violations, LbConfig effective, List<String> serviceChanges) {
        this.violations = List.copyOf(violations);
        this.effective = effective;
        this.serviceChanges = List.copyOf(serviceChanges);
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
        for (ServiceConfig old : running.services()) {
            ServiceConfig now = nextByName.remove(old.name());
            if (now == null) {
                violations.add(new Violation("services[" + old.name() + "]", "removed",
                        "the running service; removing a service needs a restart"));
                continue;
            }
            ordered.add(now);
            compare(old, now, violations, changes);
        }
        for (ServiceConfig added : next.services()) {
            if (nextByName.containsKey(added.name())) {
                violations.add(new Violation("services[" + added.name() + "]", "added",
                        "only the running services (" + names(running) + "); adding a service needs a restart"));
            }
        }
        LbConfig effective = violations.isEmpty()
                ? new LbConfig(next.transport(), next.admin(), ordered, next.pools())
                : null;
        return new ReloadPlan(violations, effective, changes);
    }

    private static void compare(ServiceConfig old, ServiceConfig now, List<Violation> violations,
                                List<String> changes) {
        String path = "services[" + old.name() + "]";
        restart(violations, path + ".type", old.type().configName(), now.type().configName());
        restart(violations, path + ".listen", old.listen(), now.listen());
        restart(violations, path + ".ports", ports(old.ports()), ports(now.ports()));
        restart(violations, path + ".source-nat", String.valueOf(old.sourceNat()), String.valueOf(now.sourceNat()));
        restart(violations, path + ".persistence.scope", old.persistence().scope().configName(),
                now.persistence().scope().configName());
        if (!Objects.equals(old.tls(), now.tls())) {
            violations.add(new Violation(path + ".tls", "changed", "the running TLS settings" + RESTART));
        }
        live(changes, "service " + old.name() + ": pool", old.pool(), now.pool());
        live(changes, "service " + old.name() + ": session-idle-timeout", old.sessionIdleTimeout(),
                now.sessionIdleTimeout());
        live(changes, "service " + old.name() + ": max-sessions", old.maxSessions(), now.maxSessions());
        live(changes, "service " + old.name() + ": persistence.timeout", old.persistence().timeout(),
                now.persistence().timeout());
        live(changes, "service " + old.name() + ": persistence.max-entries", old.persistence().maxEntries(),
                now.persistence().maxEntries());
    }

    private static void restart(List<Violation> violations, String path, String running, String next) {
        if (!running.equals(next)) {
            violations.add(new Violation(path, next, "the running " + running + RESTART));
        }
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

    private static String names(LbConfig config) {
        List<String> names = new ArrayList<>();
        for (ServiceConfig service : config.services()) {
            names.add(service.name());
        }
        return String.join(", ", names);
    }

    /** Why the configuration cannot be applied live; empty when it can. */
    public List<Violation> violations() {
        return violations;
    }

    /** The configuration to apply: the new one with the services in the running order. {@code null} if rejected. */
    public LbConfig effective() {
        return effective;
    }

    /** The live service-level changes, one line each. */
    public List<String> serviceChanges() {
        return serviceChanges;
    }
}
