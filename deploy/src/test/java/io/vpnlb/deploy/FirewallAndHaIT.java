package io.vpnlb.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The host and HA files with the tools that read them: nftables checks and enforces vpnlb.nft (in network
 * namespaces: only the VIP's VPN ports answer clients, the admin API only the management network), keepalived and
 * BIRD accept their configurations (and reject a broken one, so the check means something), and every kernel
 * setting of 60-vpnlb.conf exists.
 */
class FirewallAndHaIT {

    private static final int EXIT_SKIP = 77;

    @TempDir
    Path dir;

    private final Path deploy = Tools.module();

    @Test
    void nftablesAcceptsTheRuleset() throws Exception {
        String nft = Tools.require("nft", "nftables");
        Tools.requireRoot("nft -c talks to the kernel's netfilter");
        Tools.run(nft, "-c", "-f", deploy.resolve("nftables/vpnlb.nft").toString()).assertSuccess();
        String rules = Files.readString(deploy.resolve("nftables/vpnlb.nft"));
        Path broken = Files.writeString(dir.resolve("broken.nft"),
                rules.replace("tcp dport 443 accept", "tcp dport 443 acept"));
        assertThat(Tools.run(nft, "-c", "-f", broken.toString()).exit()).isNotZero();
    }

    @Test
    void onlyTheVpnPortsAnswerOnTheVip() throws Exception {
        Tools.require("nft", "nftables");
        Tools.require("python3", "python3");
        Tools.requireRoot("network namespaces");
        Tools.Result result = Tools.run(Map.of(), Duration.ofMinutes(3), "bash",
                deploy.resolve("src/test/sh/nftables-netns.sh").toString(),
                deploy.resolve("nftables/vpnlb.nft").toString());
        System.out.println(result.output());
        assumeTrue(result.exit() != EXIT_SKIP, result.output());
        result.assertSuccess();
        assertThat(result.output()).contains("PASS:").doesNotContain("MISMATCH");
    }

    @Test
    void keepalivedAcceptsTheConfigurationOfBothHosts() throws Exception {
        String keepalived = Tools.require("keepalived", "keepalived");
        Path config = testableKeepalivedConfig(keepalived);
        for (String host : List.of("lb1", "lb2")) {
            Tools.Result result = Tools.run(keepalived, "--config-test", "--log-console", "--use-file",
                    config.toString(), "--config-id", host);
            assertThat(result.exit()).as("keepalived -t for %s:%n%s", host, result.output()).isZero();
            assertThat(result.output()).as("keepalived -t for %s", host).isEmpty();
        }
        Path broken = Files.writeString(dir.resolve("broken.conf"),
                Files.readString(config).replace("advert_int 1", "advert_interval 1"));
        Tools.Result rejected = Tools.run(keepalived, "--config-test", "--log-console", "--use-file",
                broken.toString(), "--config-id", "lb1");
        assertThat(rejected.exit()).isNotZero();
        assertThat(rejected.output()).contains("Unknown keyword 'advert_interval'");
    }

    @Test
    void birdAcceptsTheConfiguration() throws Exception {
        String bird = Tools.require("bird", "bird2");
        Tools.run(bird, "-p", "-c", deploy.resolve("ha/bird.conf").toString()).assertSuccess();
        Path broken = Files.writeString(dir.resolve("bird.conf"),
                Files.readString(deploy.resolve("ha/bird.conf")).replace("next hop self;", "next hop selfish;"));
        assertThat(Tools.run(bird, "-p", "-c", broken.toString()).exit()).isNotZero();
    }

    @Test
    void everyKernelSettingExists() throws Exception {
        Pattern setting = Pattern.compile("^([a-z0-9_.]+)\\s*=\\s*(.+)$");
        List<String> keys = new ArrayList<>();
        for (String line : Files.readAllLines(deploy.resolve("sysctl/60-vpnlb.conf"))) {
            Matcher matcher = setting.matcher(line.strip());
            if (matcher.matches()) {
                keys.add(matcher.group(1));
                Path proc = Path.of("/proc/sys", matcher.group(1).replace('.', '/'));
                assertThat(proc).as("%s names a kernel setting", matcher.group(1)).exists();
            } else {
                assertThat(line.isBlank() || line.startsWith("#")).as("a setting or a comment: %s", line).isTrue();
            }
        }
        assertThat(keys).contains("net.core.rmem_max", "net.core.wmem_max", "net.core.netdev_max_backlog",
                "net.ipv4.ip_nonlocal_bind");
    }

    /**
     * keepalived 2.2.7 (Debian 12) kills itself in --config-test when scripts run as another user than root
     * (acassen/keepalived#2587, fixed in 2.2.8); the daemon itself is fine. On such a version the test checks a
     * copy that runs the track script as root, with everything else unchanged.
     */
    private Path testableKeepalivedConfig(String keepalived) throws Exception {
        Path config = deploy.resolve("ha/keepalived.conf");
        String version = Tools.run(keepalived, "--version").output();
        Matcher matcher = Pattern.compile("Keepalived v(\\d+)\\.(\\d+)\\.(\\d+)").matcher(version);
        assertThat(matcher.find()).as(version).isTrue();
        int[] v = {Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)),
                Integer.parseInt(matcher.group(3))};
        boolean affected = v[0] < 2 || (v[0] == 2 && (v[1] < 2 || (v[1] == 2 && v[2] < 8)));
        if (!affected) {
            return config;
        }
        String text = Files.readString(config);
        assertThat(text).contains("script_user nobody");
        return Files.writeString(dir.resolve("keepalived.conf"),
                text.replace("script_user nobody", "script_user root"));
    }
}
