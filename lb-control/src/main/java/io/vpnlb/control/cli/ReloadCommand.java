package io.vpnlb.control.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code vpnlb reload}: asks a running balancer to read its configuration file again (like SIGHUP). */
@Command(name = "reload", mixinStandardHelpOptions = true,
        description = {"Asks a running balancer to reload its configuration file (same as SIGHUP) and prints what "
                + "changed or every violation.", "Exit 0 applied or unchanged, 1 rejected, 2 API unreachable or no token."})
final class ReloadCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    AdminClient client;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            AdminClient.Answer answer = client.call("POST", "/api/v1/reload", null, err);
            if (!answer.ok()) {
                AdminClient.printError(err, "reload", answer);
                return VpnlbCommand.EXIT_INVALID;
            }
            out.println("reload: " + answer.json().path("result").asText() + " (snapshot "
                    + answer.json().path("version").asLong() + ")");
            for (JsonNode change : answer.json().path("changes")) {
                out.println("  " + change.asText());
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
