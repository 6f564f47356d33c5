package io.vpnlb.control.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/** {@code vpnlb status}: services, pools and members of a running balancer, from its admin API. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Shows the services, pools and members of a running balancer (admin API).",
                "Exit 0 shown, 1 refused by the API, 2 API unreachable or no token."})
final class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    AdminClient client;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            AdminClient.Answer services = client.call("GET", "/api/v1/services", null, err);
            if (!services.ok()) {
                AdminClient.printError(err, "status", services);
                return VpnlbCommand.EXIT_INVALID;
            }
            AdminClient.Answer pools = client.call("GET", "/api/v1/pools", null, err);
            if (!pools.ok()) {
                AdminClient.printError(err, "status", pools);
                return VpnlbCommand.EXIT_INVALID;
            }
            out.println("services:");
            for (JsonNode service : services.json().path("services")) {
                StringBuilder ports = new StringBuilder();
                for (JsonNode listener : service.path("listeners")) {
                    ports.append(ports.length() == 0 ? "" : ", ").append(listener.path("protocol").asText())
                            .append(' ').append(listener.path("listen_port").asInt()).append("->")
                            .append(listener.path("member_port").asInt())
                            .append(listener.path("bound").asBoolean() ? "" : " (not served)");
                }
                out.printf("  %-12s %-8s %s [%s] -> pool %s, %d session(s)%n", service.path("name").asText(),
                        service.path("type").asText(), service.path("listen").asText(), ports,
                        service.path("pool").asText(), service.path("sessions_active").asLong());
            }
            for (JsonNode pool : pools.json().path("pools")) {
                String name = pool.path("name").asText();
                out.printf("%npool %s (%s), priority in use: %s%n", name, pool.path("algorithm").asText(),
                        pool.path("active_priority").isNull() ? "none" : pool.path("active_priority").asText());
                AdminClient.Answer members = client.call("GET", "/api/v1/pools/"
                        + URLEncoder.encode(name, StandardCharsets.UTF_8) + "/members", null, err);
                if (!members.ok()) {
                    AdminClient.printError(err, "status", members);
                    return VpnlbCommand.EXIT_INVALID;
                }
                out.printf("  %-24s %-9s %-6s %6s %4s %-11s %8s %10s%n", "member", "health", "admin", "weight",
                        "prio", "new clients", "sessions", "selections");
                for (JsonNode member : members.json().path("members")) {
                    out.printf("  %-24s %-9s %-6s %6d %4d %-11s %8d %10d%n", member.path("member").asText(),
                            member.path("health").asText(), member.path("admin_state").asText(),
                            member.path("weight").asInt(), member.path("priority").asInt(),
                            member.path("selectable").asBoolean() ? "yes"
                                    : member.path("eligible").asBoolean() ? "standby" : "no",
                            member.path("active_sessions").asLong(), member.path("selections").asLong());
                }
            }
            out.flush();
            return 0;
        } catch (AdminClient.Unreachable e) {
            err.println("vpnlb: " + e.getMessage());
            err.flush();
            return VpnlbCommand.EXIT_UNREADABLE;
        }
    }
}
