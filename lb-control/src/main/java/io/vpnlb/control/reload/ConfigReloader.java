package io.vpnlb.control.reload;

import io.vpnlb.config.LbConfig;
import io.vpnlb.config.ServiceConfig;
import io.vpnlb.config.Violation;
import io.vpnlb.config.io.ConfigLoader;
import io.vpnlb.config.io.ConfigReadException;
import io.vpnlb.config.io.LoadResult;
import io.vpnlb.control.pool.PoolManager;
import io.vpnlb.dataplane.tcp.TcpDataPlane;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reloads the configuration file (SIGHUP, {@code POST /api/v1/reload}): read, validate, plan, apply, all or
 * nothing. An unreadable, invalid or not-live-applicable file leaves the running configuration untouched and is
 * reported with every violation. Applying closes the listeners of removed and replaced services, publishes one
 * new snapshot, then binds the listeners of added and replaced services; sessions and persistence entries of
 * everything that stays keep flowing. The certificates of TLS services to bind are loaded before anything is
 * closed, so a wrong password or an unreadable file rejects the reload with the running listeners and their
 * connections untouched. When a listener cannot be bound, the running configuration is put back (with the
 * closed listeners bound again) and the reload is rejected with the reason.
 */
public final class ConfigReloader {

    private static final Logger log = LoggerFactory.getLogger(ConfigReloader.class);

    private final PoolManager pools;
    private final Path file;
    private final ServiceListeners services;
    private final Consumer<ReloadResult> listener;

    /** Binds and closes the listeners of one service (the balancer's UDP and TCP data planes). */
    public interface ServiceListeners {

        /**
         * Binds the listeners of {@code service}, which the current snapshot holds: all or none.
         *
         * @throws RuntimeException with a one-line message naming the listener and the reason
         */
        void bind(ServiceConfig service);

        /** Closes the listeners of the service called {@code name}, with its sessions and connections. */
        void unbind(String name);

        /**
         * Imports again the certificate files of {@code services} that changed since they were loaded (see
         * {@link TcpDataPlane#reloadCertificates}), reporting files that fail even when they failed before.
         */
        default TcpDataPlane.CertificateReload reloadCertificates(List<ServiceConfig> services) {
            return TcpDataPlane.CertificateReload.NONE;
        }
    }

    /** Without listener changes: a reload that adds, removes or replaces a service is rejected. */
    public ConfigReloader(PoolManager pools, Path file, Consumer<ReloadResult> listener) {
        this(pools, file, null, listener);
    }

    /**
     * @param file     the configuration file the balancer runs from; {@code null} when it runs on the embedded
     *                 default, which cannot be reloaded
     * @param services binds and closes service listeners, or {@code null} when nothing may be bound
     * @param listener told of every result (metrics), on the reloading thread
     */
    public ConfigReloader(PoolManager pools, Path file, ServiceListeners services, Consumer<ReloadResult> listener) {
        this.pools = pools;
        this.file = file;
        this.services = services;
        this.listener = listener;
    }

    /** The file reloads read, or {@code null}. */
    public Path file() {
        return file;
    }

    public synchronized ReloadResult reload() {
        ReloadResult result = doReload();
        switch (result.outcome()) {
            case APPLIED -> {
                log.info("configuration reloaded from {} (snapshot {}): {} change(s)", file, result.version(),
                        result.changes().size());
                result.changes().forEach(change -> log.info("  {}", change));
            }
            case UNCHANGED -> log.info("configuration reloaded from {}: nothing changed", file);
            case REJECTED -> {
                log.warn("configuration reload from {} rejected, the running configuration stays: {} violation(s)",
                        file, result.violations().size());
                result.violations().forEach(violation -> log.warn("  {}", violation));
            }
            case UNAVAILABLE -> log.warn("configuration reload: vpnlb runs on the embedded default configuration; "
                    + "start it with --config FILE to reload");
            default -> throw new IllegalStateException();
        }
        listener.accept(result);
        return result;
    }

    private ReloadResult doReload() {
        long version = pools.snapshot().version();
        if (file == null) {
            return new ReloadResult(ReloadResult.Outcome.UNAVAILABLE, List.of(), List.of(), version);
        }
        LoadResult loaded;
        try {
            loaded = ConfigLoader.load(file);
        } catch (ConfigReadException e) {
            return rejected(List.of(new Violation(ConfigLoader.DOCUMENT, e.getMessage(), "a readable YAML file")));
        }
        if (!loaded.valid()) {
            return rejected(loaded.violations());
        }
        LbConfig running = pools.config();
        ReloadPlan plan = ReloadPlan.of(running, loaded.config());
        if (!plan.violations().isEmpty()) {
            return rejected(plan.violations());
        }
        LbConfig next = plan.effective();
        // Certificate files are read again on every reload: the services it binds anew read theirs when bound.
        List<ServiceConfig> kept = new ArrayList<>();
        for (ServiceConfig service : next.services()) {
            if (!plan.added().contains(service.name())) {
                kept.add(service);
            }
        }
        TcpDataPlane.CertificateReload certificates = services == null ? TcpDataPlane.CertificateReload.NONE
                : services.reloadCertificates(kept);
        if (!certificates.problems().isEmpty()) {
            List<Violation> violations = new ArrayList<>();
            certificates.problems().forEach((name, problem) -> violations.add(new Violation(
                    "services[" + name + "].tls", problem, "certificate files that import; the running certificate "
                    + "stays" + (certificates.changes().isEmpty() ? "" : " (" + certificates.changes().size()
                    + " other certificate(s) were reloaded)"))));
            return rejected(violations);
        }
        if (next.equals(running)) {
            if (!certificates.changes().isEmpty()) {
                return new ReloadResult(ReloadResult.Outcome.APPLIED, List.of(), certificates.changes(), version);
            }
            return new ReloadResult(ReloadResult.Outcome.UNCHANGED, List.of(), List.of(), version);
        }
        if (services == null && (!plan.removed().isEmpty() || !plan.added().isEmpty())) {
            return rejected(List.of(new Violation("services", "added, removed or replaced",
                    "the running services; this balancer cannot bind listeners after start")));
        }
        // The services this reload binds anew: their certificates must load before anything is closed.
        List<Violation> unloadable = TlsCertificates.services(next, plan.added());
        if (!unloadable.isEmpty()) {
            return rejected(unloadable);
        }
        // Listeners close before the snapshot drops their service, and bind after it holds the new one: a
        // listener never looks up a service that is not there.
        for (String name : plan.removed()) {
            services.unbind(name);
        }
        List<String> changes = new ArrayList<>(certificates.changes());
        changes.addAll(plan.serviceChanges());
        changes.addAll(pools.router().apply(next));
        changes.addAll(pools.apply(next));
        List<String> bound = new ArrayList<>();
        for (String name : plan.added()) {
            try {
                services.bind(next.service(name));
                bound.add(name);
            } catch (RuntimeException e) {
                restore(running, plan, bound);
                return rejected(List.of(new Violation("services[" + name + "]", e.getMessage(),
                        "listeners that can be bound; the running configuration stays")));
            }
        }
        return new ReloadResult(ReloadResult.Outcome.APPLIED, List.of(), changes, pools.snapshot().version());
    }

    /** Puts the running configuration back after a failed bind: closes what the reload bound, binds what it closed. */
    private void restore(LbConfig running, ReloadPlan plan, List<String> bound) {
        for (String name : bound) {
            services.unbind(name);
        }
        pools.router().apply(running);
        pools.apply(running);
        for (String name : plan.removed()) {
            try {
                services.bind(running.service(name));
            } catch (RuntimeException e) {
                log.error("service {} could not be restored after a failed reload: {}", name, e.getMessage());
            }
        }
    }

    private ReloadResult rejected(List<Violation> violations) {
        return new ReloadResult(ReloadResult.Outcome.REJECTED, violations, List.of(), pools.snapshot().version());
    }
}
