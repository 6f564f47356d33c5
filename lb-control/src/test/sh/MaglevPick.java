import io.vpnlb.config.MemberConfig;
import io.vpnlb.config.PoolConfig;
import io.vpnlb.config.io.ConfigLoader;
import io.vpnlb.config.io.LoadResult;
import io.vpnlb.control.publish.SnapshotBuilder;
import io.vpnlb.dataplane.select.ClientHash;
import io.vpnlb.dataplane.select.MaglevTable;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * Test helper for the namespace scenario scripts (not part of the build): which member vpnlb's Maglev table
 * gives each client address while every member of the pool is eligible.
 *
 * <p>Run with the JDK's source launcher against the vpnlb jar, so it uses vpnlb's own code for every step
 * (configuration loading, member keys, table, client hash):
 * <pre>java -cp vpnlb.jar MaglevPick.java CONFIG.yaml POOL ADDRESS...</pre>
 * Prints one line {@code ADDRESS MEMBER_ADDRESS} per client address. Exit 1 on an invalid configuration or an
 * unknown pool.
 */
public final class MaglevPick {

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: MaglevPick CONFIG.yaml POOL ADDRESS...");
            System.exit(2);
        }
        LoadResult loaded = ConfigLoader.load(Path.of(args[0]));
        if (!loaded.valid()) {
            System.err.println("invalid configuration: " + loaded.violations());
            System.exit(1);
        }
        PoolConfig pool = loaded.config().pool(args[1]);
        if (pool == null) {
            System.err.println("no pool " + args[1]);
            System.exit(1);
        }
        List<MemberConfig> members = pool.members();
        String[] keys = new String[members.size()];
        int[] weights = new int[members.size()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = SnapshotBuilder.memberKey(members.get(i));
            weights[i] = members.get(i).weight();
        }
        MaglevTable table = MaglevTable.build(keys, weights, pool.maglevTableSize());
        for (int i = 2; i < args.length; i++) {
            InetAddress client = InetAddress.getByName(args[i]);
            MemberConfig member = members.get(table.lookup(ClientHash.hash(client.getAddress())));
            System.out.println(args[i] + " " + member.address());
        }
    }
}
