package io.vpnlb.control.reload;

import io.vpnlb.config.Durations;
import io.vpnlb.config.LbConfig;
import io.vpnlb.config.ServiceConfig;
import io.vpnlb.config.Violation;
import io.vpnlb.config.io.ConfigLoader;
import io.vpnlb.config.io.ConfigReadException;
import io.vpnlb.config.io.LoadResult;
import io.vpnlb.control.persistence.PersistenceTable;
import io.vpnlb.control.pool.PoolManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reloads the configuration file (SIGHUP, {@code POST /api/v1/reload}): read, validate, plan, apply, all or
 * nothing. An unreadable, invalid or not-live-applicable file leaves the running configuration untouched and is
 * reported with every violation. Applying publishes one new snapshot; sessions and persistence entries of
 * everything that stays keep flowing.
 */
public final class ConfigReloader {

    private static final Logger log = LoggerFactory.getLogger(ConfigReloader.class);

    private final PoolManager pools;
    private final Path file;
    private final Consumer<ReloadResult> listener;

    /**
     * @param file     the configuration file the balancer runs from; {@code null} when it runs on the embedded
     *                 default, which cannot be reloaded
     * @param listener told of every result (metrics), on the reloading thread
     */
    public ConfigReloader(PoolManager pools, Path file, Consumer<ReloadResult> listener) {
        this.pools = pools;
        this.file = file;
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
        if (next.equals(running)) {
            return new ReloadResult(ReloadResult.Outcome.UNCHANGED, List.of(), List.of(), version);
        }
        List<String> changes = new ArrayList<>(plan.serviceChanges());
        changes.addAll(pools.apply(next));
        changes.addAll(tunePersistence(next));
        return new ReloadResult(ReloadResult.Outcome.APPLIED, List.of(), changes, pools.snapshot().version());
    }

    private ReloadResult rejected(List<Violation> violations) {
        return new ReloadResult(ReloadResult.Outcome.REJECTED, violations, List.of(), pools.snapshot().version());
    }

    /**
     * Services that share a persistence table (scope {@code vip}) share its timeout and bound: the longest timeout
     * and the largest bound win, as when the tables were made.
     */
    private List<String> tunePersistence(LbConfig next) {
        Map<PersistenceTable, Duration> timeouts = new IdentityHashMap<>();
        Map<PersistenceTable, Long> bounds = new IdentityHashMap<>();
        for (ServiceConfig service : next.services()) {
            PersistenceTable table = pools.router().table(service.name());
            if (table != null) {
                timeouts.merge(table, service.persistence().timeout(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
                bounds.merge(table, service.persistence().maxEntries(), Math::max);
            }
        }
        List<String> changes = new ArrayList<>();
        for (Map.Entry<PersistenceTable, Duration> entry : timeouts.entrySet()) {
            PersistenceTable table = entry.getKey();
            if (!table.timeout().equals(entry.getValue())) {
                changes.add("persistence " + table.scope() + ": timeout " + Durations.format(table.timeout())
                        + " -> " + Durations.format(entry.getValue()));
                table.timeout(entry.getValue());
            }
            long bound = bounds.get(table);
            if (table.maxEntries() != bound) {
                changes.add("persistence " + table.scope() + ": max-entries " + table.maxEntries() + " -> " + bound);
                table.maxEntries(bound);
            }
        }
        return changes;
    }
}
