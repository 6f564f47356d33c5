package io.vpnlb.control.cli;

import io.vpnlb.config.LbConfig;
import io.vpnlb.config.PoolConfig;
import io.vpnlb.config.ServiceConfig;
import io.vpnlb.config.Violation;
import io.vpnlb.control.Capabilities;
import io.vpnlb.control.reload.TlsCertificates;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code vpnlb check --config FILE}: validates without starting anything, and loads the certificates of the TLS
 * endpoints (a wrong password is a violation here, not a failure at start or reload).
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Validates a configuration file and prints every violation as 'path: value (expected: rule)',",
                "including what this host cannot do (NULL-encryption cipher suites toward members).",
                "Exit 0 valid, 1 invalid, 2 unreadable or not YAML."})
final class CheckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "configuration file")
    Path config;

    @Option(names = "--skip-certificates", description = "do not read the certificate, key, CA and CRL files "
            + "(validate the file alone, e.g. on a machine that does not hold them)")
    boolean skipCertificates;

    @Override
    public Integer call() {
        LbConfig loaded;
        try {
            loaded = ConfigFiles.loadOrFail(config, spec.commandLine().getErr());
        } catch (ConfigFiles.Failed e) {
            return e.exitCode;
        }
        List<Violation> certificates = new ArrayList<>();
        if (!skipCertificates) {
            certificates.addAll(TlsCertificates.admin(loaded));
            certificates.addAll(TlsCertificates.services(loaded,
                    loaded.services().stream().map(ServiceConfig::name).toList()));
        }
        if (!certificates.isEmpty()) {
            PrintWriter err = spec.commandLine().getErr();
            err.println(config + ": " + certificates.size() + " violation(s):");
            certificates.forEach(violation -> err.println("  " + violation));
            err.flush();
            return VpnlbCommand.EXIT_INVALID;
        }
        List<Violation> host = Capabilities.memberNullEncryptionProblems(loaded);
        if (!host.isEmpty()) {
            PrintWriter err = spec.commandLine().getErr();
            err.println(config + ": " + host.size() + " violation(s) on this host:");
            for (Violation violation : host) {
                err.println("  " + violation);
            }
            err.flush();
            return VpnlbCommand.EXIT_INVALID;
        }
        int ports = 0;
        int members = 0;
        for (ServiceConfig service : loaded.services()) {
            ports += service.ports().size();
        }
        for (PoolConfig pool : loaded.pools()) {
            members += pool.members().size();
        }
        spec.commandLine().getOut().printf("%s: valid (%d service(s), %d listener port(s), %d pool(s), %d member(s))%n",
                config, loaded.services().size(), ports, loaded.pools().size(), members);
        return 0;
    }
}
