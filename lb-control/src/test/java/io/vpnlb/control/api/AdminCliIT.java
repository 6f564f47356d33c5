package io.vpnlb.control.api;

import io.vpnlb.config.AdminConfig;
import io.vpnlb.config.LbConfig;
import io.vpnlb.config.io.ConfigLoader;
import io.vpnlb.control.Balancer;
import io.vpnlb.control.cli.VpnlbCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import static io.vpnlb.control.api.AdminFixture.Member;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code vpnlb status}, {@code vpnlb member} and {@code vpnlb reload} against a running balancer. */
class AdminCliIT {

    private AdminFixture fixture;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void start() throws Exception {
        fixture = new AdminFixture().start("maglev", "5m", Member.of("127.0.1.1"), Member.of("127.0.1.2"));
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    private int run(String... args) {
        CommandLine cli = VpnlbCommand.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void memberDrainAndStatusGoThroughTheApi() {
        int drained = run("member", "drain", "vpn", "127.0.1.1", "--url", fixture.base(),
                "--token-file", fixture.tokenFile.toString());
        assertThat(drained).as(err.toString()).isZero();
        assertThat(out.toString()).contains("pool vpn member 127.0.1.1:" + fixture.members.get("127.0.1.1").port()
                + ": admin state drain");
        out.getBuffer().setLength(0);
        assertThat(run("status", "--config", fixture.configFile.toString(), "--url", fixture.base())).isZero();
        assertThat(out.toString()).contains("ike", "pool vpn (maglev)", "127.0.1.1:", "drain", "127.0.1.2:", "ready");
        // --config alone finds the token file named in admin.token-file.
        out.getBuffer().setLength(0);
        assertThat(run("member", "ready", "vpn", "127.0.1.1", "--config", fixture.configFile.toString(),
                "--url", fixture.base())).as(err.toString()).isZero();
        assertThat(out.toString()).contains("admin state ready");
        assertThat(run("reload", "--url", fixture.base(), "--token-file", fixture.tokenFile.toString())).isZero();
        assertThat(out.toString()).contains("reload: unchanged");
    }

    @Test
    void refusalsAndUnreachableApiHaveTheirExitCodes() throws Exception {
        assertThat(run("member", "drain", "vpn", "127.0.9.9", "--url", fixture.base(),
                "--token-file", fixture.tokenFile.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("404", "pool vpn has no member 127.0.9.9");
        assertThat(run("member", "sleep", "vpn", "127.0.1.1", "--url", fixture.base())).isEqualTo(1);
        assertThat(err.toString()).contains("ACTION sleep (expected: drain, ready or maint)");
        java.nio.file.Path wrong = fixture.dir.resolve("wrong.token");
        java.nio.file.Files.writeString(wrong, "nope\n");
        assertThat(run("status", "--url", fixture.base(), "--token-file", wrong.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("401 wrong bearer token");
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            closedPort = socket.getLocalPort();
        }
        assertThat(run("status", "--url", "http://127.0.0.1:" + closedPort, "--token-file",
                fixture.tokenFile.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("cannot reach the admin API at http://127.0.0.1:" + closedPort);
    }

    @Test
    void anAdminAddressInUseIsOneClearLine() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            LbConfig base = ConfigLoader.load(fixture.configFile).config();
            LbConfig config = new LbConfig(base.transport(),
                    new AdminConfig("127.0.0.1:" + taken.getLocalPort(), fixture.tokenFile.toString()),
                    base.services(), base.pools());
            fixture.balancer.close();
            fixture.balancer = null;
            assertThatThrownBy(() -> Balancer.start(config, 1, new Balancer.Options(fixture.configFile, true)))
                    .isInstanceOf(Balancer.StartException.class)
                    .hasMessageStartingWith("admin API: cannot bind TCP 127.0.0.1:" + taken.getLocalPort() + ": ")
                    .hasMessageEndingWith("(another process holds this port; change admin.listen)")
                    .hasMessageNotContaining("\n");
        }
        // The data plane it had bound is released: the VIP port can be bound again.
        fixture.balancer = Balancer.start(ConfigLoader.load(fixture.configFile).config(), 1,
                new Balancer.Options(fixture.configFile, true));
    }
}
