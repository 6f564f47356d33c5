package io.vpnlb.control.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.vpnlb.control.pool.AdminState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/** {@code vpnlb member drain|ready|maint POOL ADDRESS}: changes a member's admin state through the admin API. */
@Command(name = "member", mixinStandardHelpOptions = true,
        description = {"Changes a member's admin state in a running balancer (admin API):",
                "  drain  takes no new clients; its sessions and persisted clients keep flowing",
                "  ready  takes new clients again",
                "  maint  out of service: its sessions are closed and its persistence entries dropped",
                "ADDRESS is the member's address, or ADDRESS:PORT when the pool has it on several ports.",
                "Exit 0 done, 1 refused by the API (unknown pool or member), 2 API unreachable or no token."})
final class MemberCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    AdminClient client;

    @Parameters(index = "0", paramLabel = "ACTION", description = "drain, ready or maint")
    String action;

    @Parameters(index = "1", paramLabel = "POOL", description = "pool name")
    String pool;

    @Parameters(index = "2", paramLabel = "ADDRESS", description = "member address or address:port")
    String address;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        AdminState state = AdminState.fromApiName(action);
        if (state == null) {
            err.println("vpnlb member: ACTION " + action + " (expected: drain, ready or maint)");
            err.flush();
            return VpnlbCommand.EXIT_INVALID;
        }
        try {
            AdminClient.Answer answer = client.call("PATCH", "/api/v1/pools/"
                    + URLEncoder.encode(pool, StandardCharsets.UTF_8) + "/members/"
                    + URLEncoder.encode(address, StandardCharsets.UTF_8),
                    "{\"admin_state\":\"" + state.apiName() + "\"}", err);
            if (!answer.ok()) {
                AdminClient.printError(err, "member " + action, answer);
                return VpnlbCommand.EXIT_INVALID;
            }
            JsonNode member = answer.json();
            out.printf("pool %s member %s: admin state %s (health %s, %d session(s))%n", pool,
                    member.path("member").asText(), member.path("admin_state").asText(),
                    member.path("health").asText(), member.path("active_sessions").asLong());
            out.flush();
            return 0;
        } catch (AdminClient.Unreachable e) {
            err.println("vpnlb: " + e.getMessage());
            err.flush();
            return VpnlbCommand.EXIT_UNREADABLE;
        }
    }
}
