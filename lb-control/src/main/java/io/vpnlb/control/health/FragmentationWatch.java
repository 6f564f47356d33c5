package io.vpnlb.control.health;

import io.vpnlb.control.pool.MemberState;
import io.vpnlb.control.pool.PoolManager;
import io.vpnlb.dataplane.snapshot.ServiceSnapshot;
import io.vpnlb.dataplane.udp.UdpDataPlane;
import io.vpnlb.dataplane.udp.UdpListenerGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Warns when a member answers IKE_SA_INIT without offering IKEv2 fragmentation (RFC 7383,
 * IKEV2_FRAGMENTATION_SUPPORTED) while clients of its service send IKE messages over 1,280 bytes: those arrive as
 * IP fragments, which many firewalls and carrier networks drop, and certificate-based IKE_AUTH then fails for
 * some clients only. On Windows RRAS this is the {@code EnableServerFragmentation} registry value.
 */
public final class FragmentationWatch {

    private static final Logger log = LoggerFactory.getLogger(FragmentationWatch.class);

    private final PoolManager pools;
    private final UdpDataPlane udp;
    private final Set<String> warned = new HashSet<>();

    public FragmentationWatch(PoolManager pools, UdpDataPlane udp) {
        this.pools = pools;
        this.udp = udp;
    }

    /** True when {@code member} has answered IKE_SA_INIT and never offered fragmentation. */
    public static boolean withoutFragmentation(MemberState member) {
        return member.stats().ikeSaInitResponses() > 0 && member.stats().fragmentationOffers() == 0;
    }

    /** Looks at the counters once and logs each member newly found in that situation. */
    public synchronized void check() {
        for (ServiceSnapshot service : pools.snapshot().services()) {
            long oversized = 0;
            for (UdpListenerGroup group : udp.listeners()) {
                if (group.serviceName().equals(service.name())) {
                    oversized += group.counters().ikeOversized();
                }
            }
            if (oversized == 0) {
                continue;
            }
            List<MemberState> members = pools.members(service.pool().name());
            if (members == null) {
                continue;
            }
            for (MemberState member : members) {
                String id = service.pool().name() + "/" + member.key();
                if (withoutFragmentation(member) && warned.add(id)) {
                    log.warn("pool {} member {} never offers IKEv2 fragmentation (RFC 7383) in its IKE_SA_INIT "
                                    + "answers ({} so far) while clients of service {} send IKE messages over 1280 "
                                    + "bytes ({} so far): they travel as IP fragments, which firewalls often drop. "
                                    + "Enable IKEv2 fragmentation on the member (Windows RRAS: registry value "
                                    + "EnableServerFragmentation=1 under RemoteAccess\\Parameters\\Ikev2; "
                                    + "strongSwan: fragmentation = yes)",
                            service.pool().name(), member.key(), member.stats().ikeSaInitResponses(), service.name(),
                            oversized);
                }
            }
        }
    }
}
