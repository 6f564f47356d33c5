package io.vpnlb.control.cli;

import io.vpnlb.config.LbConfig;
import io.vpnlb.config.MemberConfig;
import io.vpnlb.config.PoolConfig;
import io.vpnlb.config.PortMapping;
import io.vpnlb.config.ServiceConfig;
import io.vpnlb.config.ServiceType;
import io.vpnlb.config.io.ConfigLoader;
import io.vpnlb.control.Balancer;
import io.vpnlb.control.demo.DemoClient;
import io.vpnlb.control.demo.DemoMember;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code vpnlb demo}: the balancer on its embedded default configuration, with built-in members and simulated
 * IKEv2 clients on loopback. Prints which member each client's IKE and NAT-T traffic reached and exits 0 only
 * if every client's two ports reached the same member.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the balancer on its embedded default with built-in demo members and simulated IKEv2 "
                + "clients on loopback, and prints what went where.",
                "Exit 0 only if every client's IKE and NAT-T traffic reached the same member."})
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--clients", paramLabel = "N", description = "simulated clients, 1..250 (default: ${DEFAULT-VALUE})")
    int clients = 40;

    @Option(names = "--esp-packets", paramLabel = "N",
            description = "ESP-in-UDP datagrams each client sends on the NAT-T port (default: ${DEFAULT-VALUE})")
    int espPackets = 5;

    @Option(names = "--transport", paramLabel = "NAME",
            description = "auto, io_uring, epoll or nio (default: the embedded configuration's)")
    String transport;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (clients < 1 || clients > 250) {
            err.println("vpnlb demo: --clients " + clients + " (expected: 1..250)");
            return VpnlbCommand.EXIT_INVALID;
        }
        LbConfig config = ConfigLoader.embeddedDefault();
        if (transport != null) {
            io.vpnlb.config.Transport forced = io.vpnlb.config.Transport.fromConfigName(transport);
            if (forced == null) {
                err.println("vpnlb demo: --transport " + transport + " (expected: auto, io_uring, epoll or nio)");
                return VpnlbCommand.EXIT_INVALID;
            }
            config = new LbConfig(forced, config.admin(), config.services(), config.pools());
        }
        ServiceConfig service = config.services().get(0);
        if (service.type() != ServiceType.IKEV2 || service.ports().size() != 2) {
            err.println("vpnlb demo: the embedded default must start with an ikev2 service on two ports");
            return VpnlbCommand.EXIT_INVALID;
        }
        PoolConfig pool = config.pool(service.pool());
        PortMapping ikePort = service.ports().get(0);
        PortMapping natTPort = service.ports().get(1);

        List<DemoMember> members = new ArrayList<>();
        Balancer balancer = null;
        try {
            for (MemberConfig member : pool.members()) {
                InetAddress address = InetAddress.getByName(member.address());
                for (PortMapping port : service.ports()) {
                    members.add(new DemoMember(member.address(), new InetSocketAddress(address, port.memberPort())));
                }
            }
            try {
                balancer = Balancer.start(config, Balancer.defaultLoops());
            } catch (Balancer.StartException e) {
                err.println("vpnlb demo: " + e.getMessage());
                return VpnlbCommand.EXIT_INVALID;
            }
            InetAddress vip = InetAddress.getByName(service.listen());
            out.printf("%nvpnlb demo: %d IKEv2 clients -> VIP %s (IKE on udp %d, NAT-T on udp %d) -> pool %s (%s, %d members), transport %s%n%n",
                    clients, service.listen(), ikePort.listenPort(), natTPort.listenPort(), pool.name(),
                    pool.algorithm().configName(), pool.members().size(), balancer.transport().displayName());
            List<DemoClient> demoClients = runClients(vip, ikePort.listenPort(), natTPort.listenPort());
            return report(out, demoClients, pool);
        } finally {
            if (balancer != null) {
                balancer.close();
            }
            for (DemoMember member : members) {
                member.close();
            }
        }
    }

    private List<DemoClient> runClients(InetAddress vip, int ikePort, int natTPort) throws Exception {
        List<DemoClient> demoClients = new ArrayList<>();
        for (int i = 1; i <= clients; i++) {
            InetAddress source = InetAddress.getByAddress(new byte[] {127, 0, 2, (byte) i});
            demoClients.add(new DemoClient(source, new InetSocketAddress(vip, ikePort),
                    new InetSocketAddress(vip, natTPort), espPackets));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (DemoClient client : demoClients) {
                done.add(pool.submit(() -> {
                    client.run();
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return demoClients;
    }

    private static int report(PrintWriter out, List<DemoClient> demoClients, PoolConfig pool) {
        out.printf("%-14s %-20s %-20s %s%n", "client", "IKE port -> member", "NAT-T port -> member", "same member");
        Map<String, Integer> distribution = new TreeMap<>();
        for (MemberConfig member : pool.members()) {
            distribution.put(member.address(), 0);
        }
        int consistent = 0;
        for (DemoClient client : demoClients) {
            boolean same = client.consistent();
            if (same) {
                consistent++;
                distribution.merge(client.ikeMember(), 1, Integer::sum);
            }
            out.printf("%-14s %-20s %-20s %s%n", client.source().getHostAddress(),
                    orNone(client.ikeMember()), orNone(client.natTMember()), same ? "yes" : "NO");
        }
        out.printf("%ndistribution:%n");
        for (Map.Entry<String, Integer> entry : distribution.entrySet()) {
            int count = entry.getValue();
            out.printf("  %-14s %3d client(s) %5.1f%%  %s%n", entry.getKey(), count,
                    100.0 * count / demoClients.size(), "#".repeat(count));
        }
        boolean ok = consistent == demoClients.size();
        out.printf("%n%s: %d of %d clients kept their IKE and NAT-T traffic on one member%n",
                ok ? "PASS" : "FAIL", consistent, demoClients.size());
        out.flush();
        return ok ? 0 : 1;
    }

    private static String orNone(String member) {
        return member == null ? "(no answer)" : member;
    }
}
