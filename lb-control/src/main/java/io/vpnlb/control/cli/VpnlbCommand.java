package io.vpnlb.control.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code vpnlb}: the balancer's command line. */
@Command(
        name = "vpnlb",
        mixinStandardHelpOptions = true,
        versionProvider = VpnlbCommand.Version.class,
        description = "Load balancer for IKEv2 and SSTP VPN servers.",
        subcommands = {RunCommand.class, CheckCommand.class, DemoCommand.class, StatusCommand.class, MemberCommand.class,
                ReloadCommand.class, CertHashCommand.class, CertConvertCommand.class, CommandLine.HelpCommand.class})
public final class VpnlbCommand implements Runnable {

    /** Exit code: the configuration has violations, or the balancer could not start. */
    public static final int EXIT_INVALID = 1;
    /** Exit code: the configuration file cannot be read or is not YAML. */
    public static final int EXIT_UNREADABLE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    public static CommandLine newCommandLine() {
        return new CommandLine(new VpnlbCommand());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = VpnlbCommand.class.getPackage().getImplementationVersion();
            return new String[] {"vpnlb " + (version == null ? "development build" : version),
                    "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
        }
    }
}
