package io.vpnlb.dataplane.snapshot;

import io.vpnlb.config.Algorithm;
import io.vpnlb.config.ProxyProtocol;
import io.vpnlb.dataplane.select.MaglevTable;

import java.util.List;
import java.util.Objects;

/**
 * The data plane's immutable view of a pool: every member, and the members that may take new clients now
 * (the eligible members of the highest priority group that has any), with the Maglev table built over them.
 *
 * @param members    every configured member, in configuration order
 * @param selectable the members new clients may go to; empty when none is eligible
 * @param maglev     table over {@code selectable}; {@code null} unless the algorithm is Maglev and a member
 *                   is selectable
 * @param proxyProtocol the header TCP services put first on each connection to a member of this pool
 */
public record PoolSnapshot(
        String name,
        Algorithm algorithm,
        List<MemberSnapshot> members,
        List<MemberSnapshot> selectable,
        MaglevTable maglev,
        ProxyProtocol proxyProtocol) {

    public PoolSnapshot {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(proxyProtocol, "proxyProtocol");
        members = List.copyOf(members);
        selectable = List.copyOf(selectable);
    }

    /** Without a PROXY protocol header. */
    public PoolSnapshot(String name, Algorithm algorithm, List<MemberSnapshot> members,
                        List<MemberSnapshot> selectable, MaglevTable maglev) {
        this(name, algorithm, members, selectable, maglev, ProxyProtocol.NONE);
    }

    /** The member with this key, or {@code null}. */
    public MemberSnapshot member(String key) {
        for (MemberSnapshot member : members) {
            if (member.key().equals(key)) {
                return member;
            }
        }
        return null;
    }
}
