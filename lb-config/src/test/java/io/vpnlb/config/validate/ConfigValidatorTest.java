package io.vpnlb.config.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.vpnlb.config.AdminConfig;
import io.vpnlb.config.HealthCheckConfig;
import io.vpnlb.config.HealthCheckType;
import io.vpnlb.config.LbConfig;
import io.vpnlb.config.MemberConfig;
import io.vpnlb.config.PersistenceConfig;
import io.vpnlb.config.PersistenceScope;
import io.vpnlb.config.PoolConfig;
import io.vpnlb.config.PortMapping;
import io.vpnlb.config.ServiceConfig;
import io.vpnlb.config.ServiceType;
import io.vpnlb.config.TlsConfig;
import io.vpnlb.config.TlsMode;
import io.vpnlb.config.Transport;
import io.vpnlb.config.Violation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every semantic rule, on configurations built from records, with the exact message of each violation. */
class ConfigValidatorTest {

    private static final PortMapping[] IKE_PORTS = {PortMapping.same(500), PortMapping.same(4500)};

    @Test
    void aValidConfigurationHasNoViolations() {
        LbConfig config = config(
                List.of(ikev2("ikev2", "vpn"), sstp("sstp", "0.0.0.0", "vpn-sstp", PortMapping.same(443))),
                List.of(pool("vpn", member("10.0.0.11"), member("10.0.0.12")),
                        pool("vpn-sstp", new MemberConfig("10.0.0.11", 80, 100, 1))));

        assertThat(ConfigValidator.validate(config)).isEmpty();
    }

    @Test
    void atLeastOneService() {
        assertThat(messages(config(List.of(), List.of(pool("vpn", member("10.0.0.11"))))))
                .containsExactly("services: none (expected: at least one service)");
    }

    @Test
    void unknownPoolNamesTheKnownPoolsAndSuggestsTheNearest() {
        LbConfig config = config(List.of(ikev2("ikev2", "vpnn")),
                List.of(pool("vpn", member("10.0.0.11")), pool("other", member("10.0.0.12"))));

        assertThat(messages(config))
                .containsExactly("services[ikev2].pool: vpnn (expected: one of vpn, other; did you mean vpn?)");
    }

    @Test
    void unknownPoolWithoutAnyPoolDefined() {
        assertThat(messages(config(List.of(ikev2("ikev2", "vpn")), List.of())))
                .containsExactly("services[ikev2].pool: vpn (expected: the name of a pool; no pool is defined)");
    }

    @Test
    void missingPoolAndMissingName() {
        LbConfig config = config(List.of(ikev2("", "")), List.of(pool("vpn", member("10.0.0.11"))));

        assertThat(messages(config)).containsExactly(
                "services[0].name: missing (expected: a name of 1 to 63 letters, digits, '.', '_' or '-', "
                        + "starting with a letter or digit)",
                "services[0].pool: missing (expected: one of vpn)");
    }

    @Test
    void namesAreLettersDigitsDotsDashesAndUnderscores() {
        LbConfig config = config(List.of(ikev2("my vpn", "vpn")), List.of(pool("vpn/1", member("10.0.0.11"))));

        assertThat(messages(config)).containsExactly(
                "services[0].name: my vpn (expected: a name of 1 to 63 letters, digits, '.', '_' or '-', "
                        + "starting with a letter or digit)",
                "services[0].pool: vpn (expected: one of vpn/1; did you mean vpn/1?)",
                "pools[0].name: vpn/1 (expected: a name of 1 to 63 letters, digits, '.', '_' or '-', "
                        + "starting with a letter or digit)");
    }

    @Test
    void duplicateServiceNameIsReportedOnTheLaterOneByIndex() {
        LbConfig config = config(
                List.of(ikev2("vpn", "vpn"), sstp("vpn", "0.0.0.0", "vpn", PortMapping.same(443))),
                List.of(pool("vpn", member("10.0.0.11"))));

        assertThat(messages(config))
                .containsExactly("services[1].name: vpn (expected: a service name used once; services[0] has the "
                        + "same name)");
    }

    @Test
    void duplicatePoolName() {
        LbConfig config = config(List.of(ikev2("ikev2", "vpn")),
                List.of(pool("vpn", member("10.0.0.11")), pool("vpn", member("10.0.0.12"))));

        assertThat(messages(config))
                .containsExactly("pools[1].name: vpn (expected: a pool name used once; pools[0] has the same name)");
    }

    @Test
    void twoServicesOnTheSameAddressPortAndProtocolClash() {
        LbConfig config = config(
                List.of(sstp("sstp", "0.0.0.0", "vpn", PortMapping.same(443)),
                        sstp("ip-https", "0.0.0.0", "vpn", PortMapping.same(443))),
                List.of(pool("vpn", member("10.0.0.11"))));

        assertThat(messages(config)).containsExactly("services[ip-https].ports[0]: 443 (expected: a VIP address "
                + "and port that no other listener uses; services[sstp].ports[0] already listens on TCP 0.0.0.0:443)");
    }

    @Test
    void theWildcardAddressClashesWithASpecificAddressOnTheSamePort() {
        LbConfig config = config(
                List.of(sstp("a", "203.0.113.10", "vpn", PortMapping.same(443)),
                        sstp("b", "0.0.0.0", "vpn", PortMapping.same(443))),
                List.of(pool("vpn", member("10.0.0.11"))));

        assertThat(messages(config)).containsExactly("services[b].ports[0]: 443 (expected: a VIP address and port "
                + "that no other listener uses; services[a].ports[0] already listens on TCP 203.0.113.10:443)");
    }

    @Test
    void theIpv6WildcardIsDualStackAndClashesWithIpv4() {
        LbConfig config = config(
                List.of(sstp("a", "::", "vpn", PortMapping.same(443)),
                        sstp("b", "203.0.113.10", "vpn", PortMapping.same(443))),
                List.of(pool("vpn", member("10.0.0.11"))));

        assertThat(messages(config)).containsExactly("services[b].ports[0]: 443 (expected: a VIP address and port "
                + "that no other listener uses; services[a].ports[0] already listens on TCP [::]:443)");
    }

    @Test
    void differentAddressesOrDifferentProtocolsDoNotClash() {
        LbConfig config = config(
                List.of(sstp("a", "203.0.113.10", "vpn", PortMapping.same(443)),
                        sstp("b", "203.0.113.11", "vpn", PortMapping.same(443)),
                        service("c", ServiceType.UDP, "0.0.0.0", "vpn", PortMapping.same(443)),
                        sstp("d", "0.0.0.0", "vpn", PortMapping.same(8443)),
                        sstp("e", "::1", "vpn", PortMapping.same(8443))),
                List.of(pool("vpn", member("10.0.0.11"))));

        assertThat(messages(config)).isEmpty();
    }

    @Test
    void twoPortsOfOneServiceClash() {
        LbConfig config = config(
                List.of(service("dns", ServiceType.UDP, "0.0.0.0", "dns", PortMapping.same(53),
                        new PortMapping(53, 5353))),
                List.of(pool("dns", member("10.0.0.11"))));

        assertThat(messages(config)).containsExactly("services[dns].ports[1]: 53:5353 (expected: a VIP address and "
                + "port that no other listener uses; services[dns].ports[0] already listens on UDP 0.0.0.0:53)");
    }

    @Test
    void aServiceOnTheAdminPortClashes() {
        LbConfig config = new LbConfig(Transport.AUTO, new AdminConfig("0.0.0.0:443", "/t"),
                List.of(sstp("sstp", "203.0.113.10", "vpn", PortMapping.same(443))),
                List.of(pool("vpn", member("10.0.0.11"))));

        assertThat(messages(config)).containsExactly("services[sstp].ports[0]: 443 (expected: a VIP address and "
                + "port that no other listener uses; admin.listen already listens on TCP 0.0.0.0:443)");
    }

    @Test
    void listenAndMemberPortsAreWithin1To65535() {
        LbConfig config = config(
                List.of(service("a", ServiceType.UDP, "0.0.0.0", "vpn", PortMapping.same(0),
                        new PortMapping(70000, 500), new PortMapping(600, 65536))),
                List.of(pool("vpn", member("10.0.0.11")),
                        pool("unused", new MemberConfig("10.0.0.11", 70000, 100, 1),
                                new MemberConfig("10.0.0.12", -1, 100, 1),
                                new MemberConfig("10.0.0.13", 65535, 100, 1))));

        assertThat(messages(config)).containsExactly(
                "services[a].ports[0]: 0 (expected: 1..65535)",
                "services[a].ports[1]: 70000:500 (expected: VIP port within 1..65535)",
                "services[a].ports[2]: 600:65536 (expected: member port within 1..65535)",
                "pools[unused].members[0].port: 70000 (expected: 1..65535)",
                "pools[unused].members[1].port: -1 (expected: 1..65535)");
    }

    @Test
    void durationsArePositive() {
        ServiceConfig service = new ServiceConfig("ikev2", ServiceType.IKEV2, "0.0.0.0", List.of(IKE_PORTS), "vpn",
                true, new PersistenceConfig(PersistenceScope.VIP, Duration.ZERO, 10), Duration.ofSeconds(-5),
                ServiceConfig.DEFAULT_MAX_SESSIONS, null);
        PoolConfig pool = new PoolConfig("vpn", PoolConfig.DEFAULT_ALGORITHM, List.of(member("10.0.0.11")),
                new HealthCheckConfig(HealthCheckType.IKE, Duration.ofMillis(-1500), Duration.ZERO, 2, 3),
                PoolConfig.DEFAULT_MAGLEV_TABLE_SIZE);

        assertThat(messages(config(List.of(service), List.of(pool)))).containsExactly(
                "services[ikev2].persistence.timeout: 0s (expected: a positive duration such as 30s, 10m, 1h)",
                "services[ikev2].session-idle-timeout: -5s (expected: a positive duration such as 30s, 10m, 1h)",
                "pools[vpn].health-check.interval: -1500ms (expected: a positive duration such as 30s, 10m, 1h)",
                "pools[vpn].health-check.timeout: 0s (expected: a positive duration such as 30s, 10m, 1h)");
    }

    @Test
    void weightIsWithin0To1000AndPriorityWithin1To100() {
        LbConfig config = config(List.of(ikev2("ikev2", "vpn")), List.of(pool("vpn",
                new MemberConfig("10.0.0.11", 0, 1001, 0), new MemberConfig("10.0.0.12", 0, -1, 101),
                new MemberConfig("10.0.0.13", 0, 1000, 100), new MemberConfig("10.0.0.14", 0, 0, 1))));

        assertThat(messages(config)).containsExactly(
                "pools[vpn].members[0].weight: 1001 (expected: 0..1000)",
                "pools[vpn].members[0].priority: 0 (expected: 1..100)",
                "pools[vpn].members[1].weight: -1 (expected: 0..1000)",
                "pools[vpn].members[1].priority: 101 (expected: 1..100)");
    }

    @Test
    void aMemberIsListedOnceWithTheSameAddressAndPort() {
        LbConfig config = config(List.of(sstp("sstp", "0.0.0.0", "vpn", PortMapping.same(443))),
                List.of(pool("vpn", new MemberConfig("10.0.0.11", 80, 100, 1), member("10.0.0.11"),
                        new MemberConfig("10.0.0.11", 80, 50, 2), member("fd00::11"), member("fd00:0::11"),
                        member("10.0.0.11"))));

        assertThat(messages(config)).containsExactly(
                "pools[vpn].members[2]: 10.0.0.11:80 (expected: a member listed once; members[0] has the same address "
                        + "and port)",
                "pools[vpn].members[4]: fd00:0::11 (expected: a member listed once; members[3] has the same address "
                        + "and port)",
                "pools[vpn].members[5]: 10.0.0.11 (expected: a member listed once; members[1] has the same address "
                        + "and port)");
    }

    @Test
    void addressesAreIpLiteralsAndHostNamesAreNotResolved() {
        LbConfig config = config(List.of(service("a", ServiceType.UDP, "vpn.example.com", "vpn",
                        PortMapping.same(53))),
                List.of(pool("vpn", member("localhost"), member("10.0.0.256"), member(""), member("fd00::11"))));

        assertThat(messages(config)).containsExactly(
                "services[a].listen: vpn.example.com (expected: an IP address such as 0.0.0.0, 203.0.113.10 or ::)",
                "pools[vpn].members[0].address: localhost (expected: an IP address such as 10.0.0.11 or fd00::11)",
                "pools[vpn].members[1].address: 10.0.0.256 (expected: an IP address such as 10.0.0.11 or fd00::11)",
                "pools[vpn].members[2].address: missing (expected: an IP address such as 10.0.0.11 or fd00::11)");
    }

    @Test
    void adminListenIsHostColonPortWithAnIpLiteral() {
        for (String bad : List.of("localhost:9090", "127.0.0.1", "::1:9090", "127.0.0.1:65536", "[::1]9090", "")) {
            LbConfig config = new LbConfig(Transport.AUTO, new AdminConfig(bad, "/t"),
                    List.of(ikev2("ikev2", "vpn")), List.of(pool("vpn", member("10.0.0.11"))));
            assertThat(messages(config)).containsExactly("admin.listen: " + (bad.isEmpty() ? "missing" : bad)
                    + " (expected: IP:PORT such as 127.0.0.1:9090 or [::1]:9090)");
        }
        for (String good : List.of("127.0.0.1:9090", "[::1]:9090", "0.0.0.0:0")) {
            LbConfig config = new LbConfig(Transport.AUTO, new AdminConfig(good, "/t"),
                    List.of(ikev2("ikev2", "vpn")), List.of(pool("vpn", member("10.0.0.11"))));
            assertThat(messages(config)).isEmpty();
        }
    }

    @Test
    void aPoolNeedsMembersAndOneOfThemWithWeight() {
        LbConfig config = config(List.of(ikev2("ikev2", "vpn"), sstp("sstp", "0.0.0.0", "empty",
                        PortMapping.same(443))),
                List.of(pool("vpn", new MemberConfig("10.0.0.11", 0, 0, 1), new MemberConfig("10.0.0.12", 0, 0, 2)),
                        pool("empty")));

        assertThat(messages(config)).containsExactly(
                "pools[vpn].members: all weights are 0 (expected: at least one member with a weight above 0)",
                "pools[empty].members: none (expected: at least one member)");
    }

    @Test
    void maxSessionsIsWithin1AndTheLimit() {
        List<ServiceConfig> services = new ArrayList<>();
        for (int maxSessions : new int[] {0, ServiceConfig.MAX_MAX_SESSIONS + 1, ServiceConfig.MAX_MAX_SESSIONS}) {
            services.add(new ServiceConfig("s" + services.size(), ServiceType.UDP, "0.0.0.0",
                    List.of(PortMapping.same(1000 + services.size())), "vpn", true, PersistenceConfig.DEFAULT,
                    ServiceConfig.DEFAULT_SESSION_IDLE_TIMEOUT, maxSessions, null));
        }

        assertThat(messages(config(services, List.of(pool("vpn", member("10.0.0.11")))))).containsExactly(
                "services[s0].max-sessions: 0 (expected: 1..10000000)",
                "services[s1].max-sessions: 10000001 (expected: 1..10000000)");
    }

    @Test
    void persistenceMaxEntriesIsAtLeast1() {
        ServiceConfig service = new ServiceConfig("ikev2", ServiceType.IKEV2, "0.0.0.0", List.of(IKE_PORTS), "vpn",
                true, new PersistenceConfig(PersistenceScope.SERVICE, Duration.ofMinutes(1), 0), Duration.ofMinutes(1),
                10, null);

        assertThat(messages(config(List.of(service), List.of(pool("vpn", member("10.0.0.11"))))))
                .containsExactly("services[ikev2].persistence.max-entries: 0 (expected: at least 1)");
    }

    @Test
    void maglevTableSizeIsAPrimeWithinTheLimits() {
        List<PoolConfig> pools = new ArrayList<>();
        for (int size : new int[] {1000, 241, 16_777_259, 251, 16_777_213, 65_537}) {
            pools.add(new PoolConfig("p" + size, PoolConfig.DEFAULT_ALGORITHM, List.of(member("10.0.0.11")),
                    HealthCheckConfig.NONE, size));
        }

        assertThat(messages(config(List.of(ikev2("ikev2", "p65537")), pools))).containsExactly(
                "pools[p1000].maglev-table-size: 1000 (expected: a prime within 251..16777213)",
                "pools[p241].maglev-table-size: 241 (expected: a prime within 251..16777213)",
                "pools[p16777259].maglev-table-size: 16777259 (expected: a prime within 251..16777213)");
    }

    @Test
    void healthCheckRiseAndFallAreWithin1To100AndTimeoutAtMostTheInterval() {
        PoolConfig pool = new PoolConfig("vpn", PoolConfig.DEFAULT_ALGORITHM, List.of(member("10.0.0.11")),
                new HealthCheckConfig(HealthCheckType.IKE, Duration.ofSeconds(2), Duration.ofSeconds(3), 0, 101),
                PoolConfig.DEFAULT_MAGLEV_TABLE_SIZE);

        assertThat(messages(config(List.of(ikev2("ikev2", "vpn")), List.of(pool)))).containsExactly(
                "pools[vpn].health-check.timeout: 3s (expected: at most the interval, 2s)",
                "pools[vpn].health-check.rise: 0 (expected: 1..100)",
                "pools[vpn].health-check.fall: 101 (expected: 1..100)");
    }

    @Test
    void healthCheckTypeFitsTheServicesUsingThePool() {
        PoolConfig ike = new PoolConfig("ike", PoolConfig.DEFAULT_ALGORITHM, List.of(member("10.0.0.11")),
                new HealthCheckConfig(HealthCheckType.SSTP, Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3),
                PoolConfig.DEFAULT_MAGLEV_TABLE_SIZE);
        PoolConfig sstp = new PoolConfig("sstp", PoolConfig.DEFAULT_ALGORITHM,
                List.of(new MemberConfig("10.0.0.11", 80, 100, 1)),
                new HealthCheckConfig(HealthCheckType.IKE, Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3),
                PoolConfig.DEFAULT_MAGLEV_TABLE_SIZE);
        LbConfig config = config(List.of(ikev2("ikev2", "ike"), sstp("sstp", "0.0.0.0", "sstp",
                PortMapping.same(443))), List.of(ike, sstp));

        assertThat(messages(config)).containsExactly(
                "pools[ike].health-check.type: sstp (expected: one of none, ike, udp for a pool used by services[ikev2])",
                "pools[sstp].health-check.type: ike (expected: one of none, sstp, tcp, tls for a pool used by "
                        + "services[sstp])");
    }

    @Test
    void noTlsOnUdpServices() {
        ServiceConfig ikev2 = new ServiceConfig("ikev2", ServiceType.IKEV2, "0.0.0.0", List.of(IKE_PORTS), "vpn",
                true, PersistenceConfig.DEFAULT, Duration.ofMinutes(5), 10, new TlsConfig(TlsMode.PASSTHROUGH, null,
                null));
        ServiceConfig udp = new ServiceConfig("udp", ServiceType.UDP, "0.0.0.0", List.of(PortMapping.same(53)), "vpn",
                true, PersistenceConfig.DEFAULT, Duration.ofMinutes(5), 10, new TlsConfig(TlsMode.TERMINATE, "/c.pem",
                null));

        assertThat(messages(config(List.of(ikev2, udp), List.of(pool("vpn", member("10.0.0.11")))))).containsExactly(
                "services[ikev2].tls: passthrough (expected: no tls section; ikev2 services run over UDP)",
                "services[udp].tls: terminate (expected: no tls section; udp services run over UDP)");
    }

    @Test
    void terminateAndReencryptNeedACertificate() {
        List<ServiceConfig> services = new ArrayList<>();
        int port = 443;
        for (TlsConfig tls : List.of(new TlsConfig(TlsMode.TERMINATE, null, null),
                new TlsConfig(TlsMode.REENCRYPT, " ", null), new TlsConfig(TlsMode.PASSTHROUGH, null, null),
                new TlsConfig(TlsMode.TERMINATE, "/etc/vpnlb/vpn.pfx", "/etc/vpnlb/vpn.pass"))) {
            services.add(new ServiceConfig("s" + port, ServiceType.SSTP, "0.0.0.0", List.of(PortMapping.same(port)),
                    "vpn", true, PersistenceConfig.DEFAULT, Duration.ofMinutes(5), 10, tls));
            port++;
        }

        assertThat(messages(config(services, List.of(pool("vpn", member("10.0.0.11")))))).containsExactly(
                "services[s443].tls.certificate: missing (expected: a certificate file (.pem, .cer or .pfx) for tls "
                        + "mode terminate)",
                "services[s444].tls.certificate: missing (expected: a certificate file (.pem, .cer or .pfx) for tls "
                        + "mode reencrypt)");
    }

    @Test
    void anExplicitMemberPortInAPoolOfAMultiPortServiceIsAViolation() {
        LbConfig config = config(List.of(ikev2("ikev2", "vpn")),
                List.of(pool("vpn", new MemberConfig("10.0.0.11", 500, 100, 1), member("10.0.0.12"))));

        assertThat(messages(config)).containsExactly("pools[vpn].members[0].port: 500 (expected: no port: "
                + "services[ikev2] listens on 2 ports and all of them would reach member port 500; map each one in "
                + "the service instead, with ports: [\"VIP:MEMBER\", ...])");
    }

    @Test
    void anIkev2ServiceHasTwoPortsIkeFirst() {
        LbConfig config = config(
                List.of(service("one", ServiceType.IKEV2, "203.0.113.1", "vpn", PortMapping.same(500)),
                        service("three", ServiceType.IKEV2, "203.0.113.2", "vpn", PortMapping.same(500),
                                PortMapping.same(4500), PortMapping.same(4501)),
                        service("reversed", ServiceType.IKEV2, "203.0.113.3", "vpn", PortMapping.same(4500),
                                PortMapping.same(500)),
                        service("mapped", ServiceType.IKEV2, "203.0.113.4", "vpn", new PortMapping(10500, 4500),
                                new PortMapping(10501, 500)),
                        service("ok", ServiceType.IKEV2, "203.0.113.5", "vpn", new PortMapping(10500, 20500),
                                new PortMapping(10501, 24500))),
                List.of(pool("vpn", member("10.0.0.11"))));

        assertThat(messages(config)).containsExactly(
                "services[one].ports: [500] (expected: two ports, IKE then NAT-T, such as [500, 4500])",
                "services[three].ports: [500, 4500, 4501] (expected: two ports, IKE then NAT-T, such as [500, 4500])",
                "services[reversed].ports: [4500, 500] (expected: the IKE port first, then NAT-T, such as [500, "
                        + "4500])",
                "services[mapped].ports: [10500:4500, 10501:500] (expected: the IKE port first, then NAT-T, such as "
                        + "[500, 4500])");
    }

    @Test
    void ikeAndNatTReachDifferentMemberPorts() {
        LbConfig config = config(List.of(service("ikev2", ServiceType.IKEV2, "0.0.0.0", "vpn",
                        new PortMapping(10500, 500), new PortMapping(10501, 500))),
                List.of(pool("vpn", member("10.0.0.11"))));

        assertThat(messages(config)).containsExactly("services[ikev2].ports[1]: 10501:500 (expected: a member port "
                + "of its own; ports[0] already forwards to member port 500, and IKE and NAT-T must reach different "
                + "member ports)");
    }

    @Test
    void ikev2AndSstpStayOnTheirOwnWellKnownPorts() {
        LbConfig config = config(
                List.of(service("ikev2", ServiceType.IKEV2, "0.0.0.0", "vpn", PortMapping.same(443),
                                PortMapping.same(4500)),
                        sstp("sstp", "0.0.0.0", "vpn", PortMapping.same(4500)),
                        service("ip-https", ServiceType.IP_HTTPS, "0.0.0.0", "vpn", PortMapping.same(500))),
                List.of(pool("vpn", member("10.0.0.11"))));

        assertThat(messages(config)).containsExactly(
                "services[ikev2].ports[0]: 443 (expected: a UDP port for ikev2, such as 500 or 4500; 443 is the TCP "
                        + "port of SSTP and IP-HTTPS)",
                "services[sstp].ports[0]: 4500 (expected: a TCP port for sstp, such as 443; 500 and 4500 are the UDP "
                        + "ports of IKEv2)",
                "services[ip-https].ports[0]: 500 (expected: a TCP port for ip-https, such as 443; 500 and 4500 are "
                        + "the UDP ports of IKEv2)");
    }

    @Test
    void tcpAndUdpServicesNeedPorts() {
        LbConfig config = config(
                List.of(service("t", ServiceType.TCP, "0.0.0.0", "vpn"), service("u", ServiceType.UDP, "0.0.0.0",
                        "vpn"), service("s", ServiceType.SSTP, "0.0.0.0", "vpn")),
                List.of(pool("vpn", member("10.0.0.11"))));

        assertThat(messages(config)).containsExactly(
                "services[t].ports: none (expected: at least one port; tcp services have no default ports)",
                "services[u].ports: none (expected: at least one port; udp services have no default ports)",
                "services[s].ports: none (expected: at least one port)");
    }

    @Test
    void everyViolationIsReportedAtOnce() {
        LbConfig config = new LbConfig(Transport.AUTO, new AdminConfig("nowhere", "/t"),
                List.of(ikev2("ikev2", "nope"), ikev2("ikev2", "vpn")),
                List.of(pool("vpn", new MemberConfig("10.0.0.1", 0, 5000, 1))));

        assertThat(messages(config)).containsExactly(
                "admin.listen: nowhere (expected: IP:PORT such as 127.0.0.1:9090 or [::1]:9090)",
                "services[0].pool: nope (expected: one of vpn)",
                "services[1].name: ikev2 (expected: a service name used once; services[0] has the same name)",
                "services[1].ports[0]: 500 (expected: a VIP address and port that no other listener uses; "
                        + "services[0].ports[0] already listens on UDP 0.0.0.0:500)",
                "services[1].ports[1]: 4500 (expected: a VIP address and port that no other listener uses; "
                        + "services[0].ports[1] already listens on UDP 0.0.0.0:4500)",
                "pools[vpn].members[0].weight: 5000 (expected: 0..1000)");
    }

    private static List<String> messages(LbConfig config) {
        return ConfigValidator.validate(config).stream().map(Violation::toString).toList();
    }

    private static LbConfig config(List<ServiceConfig> services, List<PoolConfig> pools) {
        return new LbConfig(Transport.AUTO, AdminConfig.DEFAULT, services, pools);
    }

    private static ServiceConfig ikev2(String name, String pool) {
        return service(name, ServiceType.IKEV2, "0.0.0.0", pool, IKE_PORTS);
    }

    private static ServiceConfig sstp(String name, String listen, String pool, PortMapping... ports) {
        return service(name, ServiceType.SSTP, listen, pool, ports);
    }

    private static ServiceConfig service(String name, ServiceType type, String listen, String pool,
            PortMapping... ports) {
        TlsConfig tls = type.datagram() ? null : new TlsConfig(TlsMode.PASSTHROUGH, null, null);
        return new ServiceConfig(name, type, listen, List.of(ports), pool, true, PersistenceConfig.DEFAULT,
                ServiceConfig.DEFAULT_SESSION_IDLE_TIMEOUT, ServiceConfig.DEFAULT_MAX_SESSIONS, tls);
    }

    private static PoolConfig pool(String name, MemberConfig... members) {
        return new PoolConfig(name, PoolConfig.DEFAULT_ALGORITHM, List.of(members), HealthCheckConfig.NONE,
                PoolConfig.DEFAULT_MAGLEV_TABLE_SIZE);
    }

    private static MemberConfig member(String address) {
        return new MemberConfig(address, MemberConfig.PORT_FROM_SERVICE, MemberConfig.DEFAULT_WEIGHT,
                MemberConfig.DEFAULT_PRIORITY);
    }
}
