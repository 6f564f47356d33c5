package io.vpnlb.control.cli;

import io.vpnlb.config.LbConfig;
import io.vpnlb.control.Balancer;
import io.vpnlb.control.reload.ReloadResult;
import io.vpnlb.control.systemd.SystemdNotifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code vpnlb run [--config FILE]}: runs the balancer until SIGTERM or SIGINT. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs the balancer. Without --config it uses the embedded default configuration "
                + "(loopback VIP, unprivileged ports).", "Stops cleanly on SIGTERM or SIGINT."})
final class RunCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "configuration file (default: the embedded default configuration)")
    Path config;

    @Option(names = "--event-loops", paramLabel = "N",
            description = "event loops (default: one per core, ${DEFAULT-VALUE} here)")
    int loops = Balancer.defaultLoops();

    @Override
    public Integer call() throws InterruptedException {
        LbConfig loaded;
        try {
            loaded = ConfigFiles.loadOrFail(config, spec.commandLine().getErr());
        } catch (ConfigFiles.Failed e) {
            return e.exitCode;
        }
        log.info("configuration: {}", config == null ? "embedded default" : config.toAbsolutePath());
        Balancer balancer;
        try {
            balancer = Balancer.start(loaded, loops, new Balancer.Options(config, true));
        } catch (Balancer.StartException e) {
            spec.commandLine().getErr().println("vpnlb: " + e.getMessage());
            return VpnlbCommand.EXIT_INVALID;
        }
        SystemdNotifier systemd = SystemdNotifier.fromEnvironment();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            log.info("stopping");
            systemd.stopping();
            balancer.close();
            systemd.close();
            stopped.countDown();
        }, "vpnlb-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        reloadOnHangup(balancer, systemd);
        log.info("vpnlb running (pid {})", ProcessHandle.current().pid());
        // Listeners are bound and the admin API serves: Type=notify units become active now.
        systemd.ready("running, snapshot " + balancer.pools().snapshot().version());
        stopped.await();
        return 0;
    }

    /**
     * SIGHUP reloads the configuration file, like {@code POST /api/v1/reload}; systemd hears RELOADING=1 before and
     * READY=1 after, with the outcome as the unit's status.
     */
    @SuppressWarnings("removal")
    private static void reloadOnHangup(Balancer balancer, SystemdNotifier systemd) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> {
                systemd.reloading();
                String status = "running, reload failed";
                try {
                    ReloadResult result = balancer.reload();
                    status = "running, reload " + result.outcome().apiName() + ", snapshot " + result.version();
                } catch (RuntimeException e) {
                    log.error("reload on SIGHUP failed", e);
                } finally {
                    systemd.ready(status);
                }
            });
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            log.warn("SIGHUP cannot be handled here ({}); reload with POST /api/v1/reload", e.getMessage());
        }
    }
}
