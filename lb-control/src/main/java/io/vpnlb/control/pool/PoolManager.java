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

    private final Map<String, List<MemberState>> pools = new LinkedHashMap<>();
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
        if (member.weight() == weight) {
            return;
        }
        log.info("pool {} member {}: weight {} -> {}", member.pool(), member.key(), member.weight(), weight);
        member.weight(weight);
        changed(member, member.serving());
    }

    public synchronized void health(MemberState member, Health health) {
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

    /** The snapshot the data plane reads now. */
    public DataPlaneSnapshot snapshot() {
        return publisher.current();
    }
}
