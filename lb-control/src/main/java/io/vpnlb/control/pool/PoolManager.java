package io.vpnlb.control.pool;

import io.vpnlb.config.HealthCheckType;
import io.vpnlb.config.LbConfig;
import io.vpnlb.config.MemberConfig;
import io.vpnlb.config.PoolConfig;
import io.vpnlb.config.validate.Addresses;
import io.vpnlb.control.publish.SnapshotBuilder;
import io.vpnlb.control.publish.SnapshotPublisher;
import io.vpnlb.dataplane.snapshot.DataPlaneSnapshot;
import io.vpnlb.dataplane.snapshot.MemberStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The pools and the live state of their members. Every change (health, admin state, weight) builds a new
 * snapshot and publishes it in one swap; when a member stops serving (DOWN or MAINT) its sessions are closed
 * and its persistence entries dropped, so its clients' next datagrams are balanced to a member that serves.
 *
 * <p>Thread safe: changes come from the health checker and the admin API and are applied one at a time.
 */
public final class PoolManager {

    private static final Logger log = LoggerFactory.getLogger(PoolManager.class);

    /** Replaced as a whole (reload), never changed in place: readers on other threads see one version. */
    private volatile Map<String, List<MemberState>> pools;
    private final SnapshotBuilder builder = new SnapshotBuilder();
    private final SnapshotPublisher publisher;
    private final PoolRouter router;
    private volatile LbConfig config;
    private volatile SessionEvictor evictor = (pool, member) -> { };

    /** Closes the data plane's sessions of a member that stopped serving. */
    @FunctionalInterface
    public interface SessionEvictor {
        void evict(String pool, String memberKey);
    }

    public PoolManager(LbConfig config) {
        this.config = Objects.requireNonNull(config);
        Map<String, List<MemberState>> pools = new LinkedHashMap<>();
        for (PoolConfig pool : config.pools()) {
            List<MemberState> members = new ArrayList<>();
            Health initial = Health.UP;
            for (MemberConfig member : pool.members()) {
                InetAddress address = Addresses.parseIp(member.address());
                if (address == null) {
                    throw new IllegalArgumentException("pools[" + pool.name() + "]: member address "
                            + member.address() + " is not an IP literal (validate the configuration first)");
                }
                members.add(new MemberState(pool.name(), SnapshotBuilder.memberKey(member), member, address,
                        new MemberStats(), initial));
            }
            pools.put(pool.name(), List.copyOf(members));
        }
        this.pools = Collections.unmodifiableMap(pools);
        this.router = new PoolRouter(config);
        this.publisher = new SnapshotPublisher(builder.build(config, this::member));
    }

    public LbConfig config() {
        return config;
    }

    public SnapshotPublisher publisher() {
        return publisher;
    }

    public PoolRouter router() {
        return router;
    }

    public void evictor(SessionEvictor evictor) {
        this.evictor = Objects.requireNonNull(evictor);
    }

    /** Pool names in configuration order. */
    public List<String> poolNames() {
        return List.copyOf(pools.keySet());
    }

    /** The members of {@code pool} in configuration order, or {@code null} for an unknown pool. */
    public List<MemberState> members(String pool) {
        return pools.get(pool);
    }

    /** The member of {@code pool} with {@code key}, or {@code null}. */
    public MemberState member(String pool, String key) {
        List<MemberState> members = pools.get(pool);
        if (members != null) {
            for (MemberState member : members) {
                if (member.key().equals(key)) {
                    return member;
                }
            }
        }
        return null;
    }

    /** The members of {@code pool} at {@code address} (several when they differ by port). */
    public List<MemberState> membersAt(String pool, InetAddress address) {
        List<MemberState> found = new ArrayList<>();
        List<MemberState> members = pools.get(pool);
        if (members != null) {
            for (MemberState member : members) {
                if (member.address().equals(address)) {
                    found.add(member);
                }
            }
        }
        return found;
    }

    /** True when the pool has active health checks. */
    public boolean checked(String pool) {
        PoolConfig poolConfig = config.pool(pool);
        return poolConfig != null && poolConfig.healthCheck().type() != HealthCheckType.NONE;
    }

    public synchronized void adminState(MemberState member, AdminState state) {
        member = live(member);
        if (member == null) {
            return;
        }
        AdminState before = member.adminState();
        if (before == state) {
            return;
        }
        boolean wasServing = member.serving();
        member.adminState(state);
        log.info("pool {} member {}: admin state {} -> {}", member.pool(), member.key(), before, state);
        changed(member, wasServing);
    }

    public synchronized void weight(MemberState member, int weight) {
        member = live(member);
        if (member == null) {
            return;
        }
        if (member.weight() == weight) {
            return;
        }
        log.info("pool {} member {}: weight {} -> {}", member.pool(), member.key(), member.weight(), weight);
        member.weight(weight);
        changed(member, member.serving());
    }

    public synchronized void health(MemberState member, Health health) {
        member = live(member);
        if (member == null) {
            return;
        }
        Health before = member.health();
        if (before == health) {
            return;
        }
        boolean wasServing = member.serving();
        member.health(health);
        if (before.serving() != health.serving()) {
            log.warn("pool {} member {}: health {} -> {} ({})", member.pool(), member.key(), before, health,
                    member.lastCheck());
        }
        changed(member, wasServing);
    }

    private void changed(MemberState member, boolean wasServing) {
        publisher.publish(builder.build(config, this::member));
        if (wasServing && !member.serving()) {
            router.forgetMember(member.address());
            evictor.evict(member.pool(), member.key());
        }
    }

    /**
     * Applies a new configuration that passed validation and keeps the running services and their listeners
     * (same names, in the same order, with the same ports: service indices stay stable for running listeners).
     * Members are matched by {@code address:port}: a kept member keeps its counters, health, admin state and
     * live sessions, and its operator-set weight unless the configured weight changed; a new member starts
     * READY and UP; a removed member's sessions are closed and its persistence entries dropped. One new snapshot
     * is published for the whole change.
     *
     * @return what changed, one line each, empty when nothing did
     */
    public synchronized List<String> apply(LbConfig next) {
        LbConfig before = config;
        Map<String, List<MemberState>> old = pools;
        Map<String, List<MemberState>> rebuilt = new LinkedHashMap<>();
        List<String> changes = new ArrayList<>();
        for (PoolConfig pool : next.pools()) {
            PoolConfig previous = before.pool(pool.name());
            if (previous == null) {
                changes.add("pool " + pool.name() + " added");
            } else if (previous.algorithm() != pool.algorithm()
                    || previous.maglevTableSize() != pool.maglevTableSize()) {
                changes.add("pool " + pool.name() + ": algorithm " + previous.algorithm().configName() + " -> "
                        + pool.algorithm().configName() + ", maglev-table-size " + previous.maglevTableSize()
                        + " -> " + pool.maglevTableSize());
            }
            if (previous != null && !previous.healthCheck().equals(pool.healthCheck())) {
                changes.add("pool " + pool.name() + ": health-check changed");
            }
            List<MemberState> members = new ArrayList<>();
            for (MemberConfig member : pool.members()) {
                String key = SnapshotBuilder.memberKey(member);
                MemberState kept = find(old.get(pool.name()), key);
                InetAddress address = Addresses.parseIp(member.address());
                if (address == null) {
                    throw new IllegalArgumentException("pools[" + pool.name() + "]: member address "
                            + member.address() + " is not an IP literal (validate the configuration first)");
                }
                if (kept == null) {
                    members.add(new MemberState(pool.name(), key, member, address, new MemberStats(), Health.UP));
                    changes.add("pool " + pool.name() + ": member " + key + " added (weight " + member.weight()
                            + ", priority " + member.priority() + ")");
                } else if (kept.config().equals(member)) {
                    members.add(kept);
                } else {
                    MemberState moved = new MemberState(pool.name(), key, member, address, kept.stats(),
                            kept.health());
                    moved.adminState(kept.adminState());
                    moved.continueFrom(kept);
                    boolean weightChanged = kept.config().weight() != member.weight();
                    moved.weight(weightChanged ? member.weight() : kept.weight());
                    members.add(moved);
                    changes.add("pool " + pool.name() + ": member " + key + " weight " + kept.config().weight()
                            + " -> " + member.weight() + ", priority " + kept.config().priority() + " -> "
                            + member.priority());
                }
            }
            rebuilt.put(pool.name(), List.copyOf(members));
        }
        List<MemberState> removed = new ArrayList<>();
        for (Map.Entry<String, List<MemberState>> entry : old.entrySet()) {
            List<MemberState> now = rebuilt.get(entry.getKey());
            if (now == null) {
                changes.add("pool " + entry.getKey() + " removed");
            }
            for (MemberState member : entry.getValue()) {
                if (now == null || find(now, member.key()) == null) {
                    removed.add(member);
                    if (now != null) {
                        changes.add("pool " + entry.getKey() + ": member " + member.key() + " removed");
                    }
                }
            }
        }
        this.pools = Collections.unmodifiableMap(rebuilt);
        this.config = next;
        publisher.publish(builder.build(next, this::member));
        for (MemberState member : removed) {
            if (member.serving()) {
                if (!addressStillServes(member.address())) {
                    router.forgetMember(member.address());
                }
                evictor.evict(member.pool(), member.key());
            }
        }
        return changes;
    }

    /**
     * The current state of the member {@code member} stands for: a reload replaces the state object of a member
     * whose configuration changed, and a caller (health checker, API) may still hold the old one. {@code null}
     * when a reload removed the member.
     */
    private MemberState live(MemberState member) {
        return find(pools.get(member.pool()), member.key());
    }

    private static MemberState find(List<MemberState> members, String key) {
        if (members != null) {
            for (MemberState member : members) {
                if (member.key().equals(key)) {
                    return member;
                }
            }
        }
        return null;
    }

    private boolean addressStillServes(InetAddress address) {
        for (List<MemberState> members : pools.values()) {
            for (MemberState member : members) {
                if (member.address().equals(address) && member.serving()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The snapshot the data plane reads now. */
    public DataPlaneSnapshot snapshot() {
        return publisher.current();
    }
}
