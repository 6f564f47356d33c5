package io.vpnlb.dataplane.snapshot;

import io.vpnlb.config.Algorithm;
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
 */
public record PoolSnapshot(
        String name,
        Algorithm algorithm,
        List<MemberSnapshot> members,
        List<MemberSnapshot> selectable,
        MaglevTable maglev) {

    public PoolSnapshot {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(algorithm, "algorithm");
        members = List.copyOf(members);
        selectable = List.copyOf(selectable);
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
