package io.vpnlb.config.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpnlb.config.AdminConfig;
import io.vpnlb.config.Algorithm;
import io.vpnlb.config.HealthCheckConfig;
import io.vpnlb.config.HealthCheckType;
import io.vpnlb.config.LbConfig;
import io.vpnlb.config.MemberConfig;
import io.vpnlb.config.PersistenceConfig;
import io.vpnlb.config.PersistenceScope;
import io.vpnlb.config.PoolConfig;
import io.vpnlb.config.PortMapping;
import io.vpnlb.config.ProxyProtocol;
import io.vpnlb.config.ServiceConfig;
import io.vpnlb.config.ServiceType;
import io.vpnlb.config.ClientAuth;
import io.vpnlb.config.TlsConfig;
import io.vpnlb.config.TlsMode;
import io.vpnlb.config.Transport;
import io.vpnlb.config.Violation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {

    private static final String SERVICE_KEYS =
            "name, type, listen, ports, pool, source-nat, persistence, session-idle-timeout, max-sessions, tls, ike";
    private static final String POSITIVE = "(expected: a positive duration such as 30s, 10m, 1h)";

    @TempDir
    Path dir;

    @Test
    void theEmbeddedDefaultIsValid() throws Exception {
        LbConfig config = ConfigLoader.embeddedDefault();

        assertThat(ConfigLoader.parse(ConfigLoader.embeddedDefaultText(), "default.yaml").violations()).isEmpty();
        assertThat(config.services()).singleElement().satisfies(service -> {
            assertThat(service.listen()).isEqualTo("127.0.0.1");
            assertThat(service.ports()).containsExactly(new PortMapping(10500, 20500), new PortMapping(10501, 24500));
        });
        assertThat(config.pool("vpn").members()).extracting(MemberConfig::address)
                .containsExactly("127.0.1.1", "127.0.1.2", "127.0.1.3");
    }

    @Test
    void theDocumentedExampleLoadsWithoutViolations() throws Exception {
        LoadResult result = ConfigLoader.parse(resource("/io/vpnlb/config/example.yaml"), "example.yaml");

        assertThat(result.violations()).isEmpty();
        assertThat(result.valid()).isTrue();
        LbConfig config = result.config();
        assertThat(config.services()).extracting(ServiceConfig::name).containsExactly("ikev2", "sstp");
        assertThat(config.services().get(0).ports()).containsExactly(PortMapping.same(500), PortMapping.same(4500));
        assertThat(config.services().get(1).tls())
                .isEqualTo(new TlsConfig(TlsMode.TERMINATE, "/etc/vpnlb/vpn.pfx", "/etc/vpnlb/vpn.pfx.pass", null,
                        null, null, Duration.ofMinutes(10), null));
        assertThat(config.pool("vpn-sstp").proxyProtocol()).isEqualTo(ProxyProtocol.NONE);
        assertThat(config.pool("vpn").healthCheck()).isEqualTo(new HealthCheckConfig(HealthCheckType.IKE,
                Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3));
        assertThat(config.pool("vpn").members().get(2)).isEqualTo(new MemberConfig("10.1.0.11", 0, 100, 2));
        assertThat(config.pool("vpn-sstp").algorithm()).isEqualTo(Algorithm.LEAST_SESSIONS);
        assertThat(config.pool("vpn-sstp").members().get(0).port()).isEqualTo(80);
    }

    @Test
    void missingKeysTakeTheDefaults() throws Exception {
        LoadResult result = parse("""
                services:
                  - { name: ikev2, type: ikev2, pool: vpn }
                  - { name: sstp, type: sstp, pool: vpn }
                  - { name: web, type: tcp, pool: vpn, ports: [8080] }
                pools:
                  - name: vpn
                    members:
                      - address: 10.0.0.11
                """);

        assertThat(result.violations()).isEmpty();
        assertThat(result.config()).isEqualTo(new LbConfig(Transport.AUTO, AdminConfig.DEFAULT,
                List.of(service("ikev2", ServiceType.IKEV2, List.of(PortMapping.same(500), PortMapping.same(4500)),
                                null),
                        service("sstp", ServiceType.SSTP, List.of(PortMapping.same(443)),
                                new TlsConfig(TlsMode.PASSTHROUGH, null, null)),
                        service("web", ServiceType.TCP, List.of(PortMapping.same(8080)), null)),
                List.of(new PoolConfig("vpn", Algorithm.MAGLEV, List.of(new MemberConfig("10.0.0.11",
                        MemberConfig.PORT_FROM_SERVICE, 100, 1)), HealthCheckConfig.NONE, 65537))));
    }

    @Test
    void everyKeyIsMapped() throws Exception {
        LoadResult result = parse("""
                transport: io_uring
                admin: { listen: "[::1]:9191", token-file: /run/token }
                services:
                  - name: udp
                    type: udp
                    listen: 203.0.113.10
                    ports: [53]
                    pool: dns
                    source-nat: false
                    persistence: { scope: service, timeout: 30s, max-entries: 5000 }
                    session-idle-timeout: 500ms
                    max-sessions: 42
                  - name: https
                    type: ip-https
                    pool: web
                    tls: { mode: reencrypt, certificate: /c.pem, password-file: /c.pass, client-auth: optional,
                           client-ca: /ca.pem, crl: /ca.crl }
                pools:
                  - name: dns
                    algorithm: round-robin
                    members:
                      - { address: "fd00::53", port: 5353, weight: 0, priority: 2 }
                      - { address: 10.0.0.53, port: 5353, weight: 1000, priority: 1 }
                    maglev-table-size: 251
                  - name: web
                    algorithm: least-sessions
                    members: [{ address: 10.0.0.80 }]
                    health-check: { type: tcp, interval: 10s, timeout: 10s, rise: 1, fall: 100 }
                """);

        assertThat(result.violations()).isEmpty();
        assertThat(result.config()).isEqualTo(new LbConfig(Transport.IO_URING, new AdminConfig("[::1]:9191",
                "/run/token"),
                List.of(new ServiceConfig("udp", ServiceType.UDP, "203.0.113.10", List.of(PortMapping.same(53)), "dns",
                                false, new PersistenceConfig(PersistenceScope.SERVICE, Duration.ofSeconds(30), 5000),
                                Duration.ofMillis(500), 42, null),
                        new ServiceConfig("https", ServiceType.IP_HTTPS, "0.0.0.0", List.of(PortMapping.same(443)),
                                "web", true, PersistenceConfig.DEFAULT, Duration.ofMinutes(5), 100_000,
                                new TlsConfig(TlsMode.REENCRYPT, "/c.pem", "/c.pass", ClientAuth.OPTIONAL, "/ca.pem",
                                        "/ca.crl"))),
                List.of(new PoolConfig("dns", Algorithm.ROUND_ROBIN, List.of(new MemberConfig("fd00::53", 5353, 0, 2),
                                new MemberConfig("10.0.0.53", 5353, 1000, 1)), HealthCheckConfig.NONE, 251),
                        new PoolConfig("web", Algorithm.LEAST_SESSIONS, List.of(new MemberConfig("10.0.0.80", 0, 100,
                                1)), new HealthCheckConfig(HealthCheckType.TCP, Duration.ofSeconds(10),
                                Duration.ofSeconds(10), 1, 100), 65537))));
    }

    @Test
    void portsAreIntegersOrListenColonMemberStrings() throws Exception {
        LoadResult result = parse("""
                services:
                  - { name: u, type: udp, pool: p, ports: [500, "10500:500", "4501", " 8443:443 ", 10501:501] }
                pools: [{ name: p, members: [{ address: 10.0.0.1 }] }]
                """);

        assertThat(result.violations()).isEmpty();
        assertThat(result.config().services().get(0).ports()).containsExactly(PortMapping.same(500),
                new PortMapping(10500, 500), PortMapping.same(4501), new PortMapping(8443, 443),
                new PortMapping(10501, 501));
    }

    @Test
    void portItemsThatAreNeitherAreViolations() throws Exception {
        String rule = "(expected: a port such as 500, or \"VIP:MEMBER\" such as \"10500:500\")";

        assertThat(messages("""
                services:
                  - name: u
                    type: udp
                    pool: p
                    ports: [abc, "1:2:3", 1.5, { a: 1 }, "-1:500", 99999999999, true, "", 7]
                pools: [{ name: p, members: [{ address: 10.0.0.1 }] }]
                """)).containsExactly(
                "services[u].ports[0]: abc " + rule,
                "services[u].ports[1]: 1:2:3 " + rule,
                "services[u].ports[2]: 1.5 " + rule,
                "services[u].ports[3]: a mapping " + rule,
                "services[u].ports[4]: -1:500 " + rule,
                "services[u].ports[5]: 99999999999 " + rule,
                "services[u].ports[6]: true " + rule,
                "services[u].ports[7]: \"\" " + rule);
    }

    @ParameterizedTest
    @CsvSource({
        "500ms, PT0.5S",
        "30s, PT30S",
        "10m, PT10M",
        "2h, PT2H",
        "1d, PT24H",
        "45, PT45S",
        "'\"45\"', PT45S",
    })
    void durationsParse(String yaml, String iso) throws Exception {
        LoadResult result = parse(ikev2With("session-idle-timeout: " + yaml));

        assertThat(result.violations()).isEmpty();
        assertThat(result.config().services().get(0).sessionIdleTimeout()).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest
    @CsvSource({
        "-5s, -5s",
        "0, 0s",
        "0ms, 0s",
        "soon, soon",
        "5 min, 5 min",
        "1.5s, 1.5s",
        "'[5s]', a list",
    })
    void nonPositiveOrUnreadableDurationsAreViolations(String yaml, String shown) throws Exception {
        assertThat(messages(ikev2With("session-idle-timeout: " + yaml)))
                .containsExactly("services[ikev2].session-idle-timeout: " + shown + " " + POSITIVE);
    }

    @Test
    void typosAtEveryLevelAreReportedWithTheNearestKey() throws Exception {
        assertThat(messages("""
                transprt: auto
                admin:
                  listn: 127.0.0.1:9090
                services:
                  - name: ikev2
                    type: ikev2
                    pool: vpn
                    sesion-idle-timeout: 5m
                    persistence: { scpe: vip }
                  - name: sstp
                    type: sstp
                    pool: vpn
                    tls: { mod: terminate, certificate: /c.pem }
                pools:
                  - name: vpn
                    algoritm: maglev
                    members:
                      - { address: 10.0.0.11, wieght: 5 }
                    health-check: { type: ike, intervall: 2s }
                    colour: blue
                """)).containsExactly(
                "transprt: unknown key (expected: one of transport, admin, services, pools; did you mean transport?)",
                "admin.listn: unknown key (expected: one of listen, token-file, tls, metrics-token; did you mean listen?)",
                "services[ikev2].sesion-idle-timeout: unknown key (expected: one of " + SERVICE_KEYS
                        + "; did you mean session-idle-timeout?)",
                "services[ikev2].persistence.scpe: unknown key (expected: one of scope, timeout, max-entries; did you "
                        + "mean scope?)",
                "services[sstp].tls.mod: unknown key (expected: one of mode, certificate, password-file, client-auth, "
                        + "client-ca, crl, session-persistence, member-null-encryption; did you mean mode?)",
                "pools[vpn].algoritm: unknown key (expected: one of name, algorithm, members, health-check, "
                        + "maglev-table-size, min-up-members, proxy-protocol; did you mean algorithm?)",
                "pools[vpn].members[0].wieght: unknown key (expected: one of address, port, weight, priority; did you "
                        + "mean weight?)",
                "pools[vpn].health-check.intervall: unknown key (expected: one of type, interval, timeout, rise, fall, https, expect-status; "
                        + "did you mean interval?)",
                "pools[vpn].colour: unknown key (expected: one of name, algorithm, members, health-check, "
                        + "maglev-table-size, min-up-members, proxy-protocol)");
    }

    @Test
    void wrongTypesAreViolationsNotExceptions() throws Exception {
        assertThat(messages("""
                transport: [nio]
                admin: 127.0.0.1:9090
                services:
                  - name: [ikev2]
                    type: ikev2
                    pool: vpn
                    ports: 500
                    source-nat: maybe
                    max-sessions: many
                    persistence: vip
                    tls: on
                pools:
                  - name: vpn
                    members: { address: 10.0.0.11 }
                    maglev-table-size: 99999999999
                """)).containsExactly(
                "transport: a list (expected: one of auto, io_uring, epoll, nio)",
                "admin: 127.0.0.1:9090 (expected: a mapping with the keys listen, token-file, tls, metrics-token)",
                "services[0].name: a list (expected: a name)",
                "services[0].ports: 500 (expected: a list of ports such as [500, 4500])",
                "services[0].source-nat: maybe (expected: true or false)",
                "services[0].max-sessions: many (expected: an integer within 1..10000000)",
                "services[0].persistence: vip (expected: a mapping with the keys scope, timeout, max-entries)",
                "services[0].tls: true (expected: a mapping with the keys mode, certificate, password-file, "
                        + "client-auth, client-ca, crl, session-persistence, member-null-encryption)",
                "pools[vpn].members: a mapping (expected: a list of members)",
                "pools[vpn].maglev-table-size: 99999999999 (expected: 251..16777213)");
    }

    @Test
    void listsOfTheWrongThingAreViolations() throws Exception {
        assertThat(messages("""
                services: ikev2
                pools:
                  - vpn
                  - name: other
                    members: [10.0.0.11, ~]
                """)).containsExactly(
                "services: ikev2 (expected: a list of services)",
                "pools[0]: vpn (expected: a mapping with the keys name, algorithm, members, health-check, "
                        + "maglev-table-size, min-up-members, proxy-protocol)",
                "pools[other].members[0]: 10.0.0.11 (expected: a mapping with the keys address, port, weight, "
                        + "priority)",
                "pools[other].members[1]: empty (expected: a mapping with the keys address, port, weight, priority)");
    }

    @Test
    void unknownEnumerationValuesListTheValidOnes() throws Exception {
        assertThat(messages("""
                transport: iouring
                services:
                  - name: ikev2
                    type: ikev2
                    pool: vpn
                    persistence: { scope: global }
                  - name: l2tp
                    type: l2tp
                    ports: [1701]
                    pool: vpn
                  - name: sstp
                    type: sstp
                    pool: vpn
                    tls: { mode: offload }
                pools:
                  - name: vpn
                    algorithm: least-connections
                    members: [{ address: 10.0.0.11 }]
                    health-check: { type: http }
                """)).containsExactly(
                "transport: iouring (expected: one of auto, io_uring, epoll, nio; did you mean io_uring?)",
                "services[ikev2].persistence.scope: global (expected: one of vip, service, none)",
                "services[l2tp].type: l2tp (expected: one of ikev2, sstp, ip-https, tcp, udp)",
                "services[sstp].tls.mode: offload (expected: one of passthrough, terminate, reencrypt)",
                "pools[vpn].algorithm: least-connections (expected: one of maglev, least-sessions, round-robin)",
                "pools[vpn].health-check.type: http (expected: one of none, ike, sstp, tcp, tls, udp)");
    }

    @Test
    void aMissingTypeIsReportedOnceWithoutNoiseAboutItsPorts() throws Exception {
        assertThat(messages("""
                services: [{ name: vpn, pool: vpn }]
                pools: [{ name: vpn, members: [{ address: 10.0.0.11 }], health-check: { interval: 5s } }]
                """)).containsExactly(
                "services[vpn].type: missing (expected: one of ikev2, sstp, ip-https, tcp, udp)",
                "pools[vpn].health-check.type: missing (expected: one of none, ike, sstp, tcp, tls, udp)");
    }

    @Test
    void elementsAreNamedByNameElseByIndexAndMembersByIndex() throws Exception {
        assertThat(messages("""
                services:
                  - { type: udp, ports: [53], pool: dns }
                  - { name: a, type: udp, ports: [54], pool: dns, max-sessions: 0 }
                  - { name: a, type: udp, ports: [55], pool: dns }
                pools:
                  - name: dns
                    members:
                      - { address: 10.0.0.1 }
                      - { address: 10.0.0.2, port: 70000 }
                """)).containsExactly(
                "services[0].name: missing (expected: a name of 1 to 63 letters, digits, '.', '_' or '-', starting "
                        + "with a letter or digit)",
                "services[1].max-sessions: 0 (expected: 1..10000000)",
                "services[2].name: a (expected: a service name used once; services[1] has the same name)",
                "pools[dns].members[1].port: 70000 (expected: 1..65535)");
    }

    @Test
    void anExplicitMemberPortOfZeroIsAViolation() throws Exception {
        assertThat(messages("""
                services: [{ name: sstp, type: sstp, pool: vpn }]
                pools: [{ name: vpn, members: [{ address: 10.0.0.11, port: 0 }] }]
                """)).containsExactly("pools[vpn].members[0].port: 0 (expected: 1..65535)");
    }

    @Test
    void quotedNumbersAndBooleansAreAccepted() throws Exception {
        LoadResult result = parse("""
                services: [{ name: sstp, type: sstp, pool: vpn, source-nat: "false", max-sessions: "10" }]
                pools: [{ name: vpn, members: [{ address: 10.0.0.11, port: "80", weight: "50" }] }]
                """);

        assertThat(result.violations()).isEmpty();
        assertThat(result.config().services().get(0).sourceNat()).isFalse();
        assertThat(result.config().services().get(0).maxSessions()).isEqualTo(10);
        assertThat(result.config().pool("vpn").members().get(0)).isEqualTo(new MemberConfig("10.0.0.11", 80, 50, 1));
    }

    @Test
    void explicitNullsCountAsMissing() throws Exception {
        LoadResult result = parse("""
                admin:
                services:
                  - name: sstp
                    type: sstp
                    pool: vpn
                    tls:
                    persistence:
                pools:
                  - { name: vpn, members: [{ address: 10.0.0.11 }], health-check: }
                """);

        assertThat(result.violations()).isEmpty();
        assertThat(result.config().admin()).isEqualTo(AdminConfig.DEFAULT);
        assertThat(result.config().services().get(0).tls()).isEqualTo(new TlsConfig(TlsMode.PASSTHROUGH, null, null));
        assertThat(result.config().services().get(0).persistence()).isEqualTo(PersistenceConfig.DEFAULT);
        assertThat(result.config().pool("vpn").healthCheck()).isEqualTo(HealthCheckConfig.NONE);
    }

    @Test
    void aBrokenFileYieldsAllItsProblemsAtOnceInDocumentOrder() throws Exception {
        Path file = write("broken.yaml", """
                transport: epol
                admin:
                  listen: localhost:9090
                services:
                  - name: ikev2
                    type: ikev2
                    ports: [500, 4500]
                    pool: vpn
                    sesion-idle-timeout: 5m
                    session-idle-timeout: -5s
                    persistence: { scope: vip, timeout: 10 minutes }
                  - name: sstp
                    type: sstp
                    ports: [443]
                    pool: vpn-sstpp
                    tls: { mode: terminate }
                  - name: sstp-backup
                    type: sstp
                    ports: [443]
                    pool: vpn-sstp
                pools:
                  - name: vpn
                    algorithm: maglev
                    members:
                      - { address: 10.0.0.11, port: 500 }
                      - { address: 10.0.0.12, weight: 1001 }
                      - { address: 10.0.0.12 }
                    health-check: { type: ike, interval: 1s, timeout: 2s }
                  - name: vpn-sstp
                    members: []
                """);

        LoadResult result = ConfigLoader.load(file);

        assertThat(result.valid()).isFalse();
        assertThat(result.config()).isNotNull();
        assertThat(result.violations()).extracting(Violation::toString).containsExactly(
                "transport: epol (expected: one of auto, io_uring, epoll, nio; did you mean epoll?)",
                "admin.listen: localhost:9090 (expected: IP:PORT such as 127.0.0.1:9090 or [::1]:9090)",
                "services[ikev2].sesion-idle-timeout: unknown key (expected: one of " + SERVICE_KEYS
                        + "; did you mean session-idle-timeout?)",
                "services[ikev2].session-idle-timeout: -5s " + POSITIVE,
                "services[ikev2].persistence.timeout: 10 minutes " + POSITIVE,
                "services[sstp].pool: vpn-sstpp (expected: one of vpn, vpn-sstp; did you mean vpn-sstp?)",
                "services[sstp].tls.certificate: missing (expected: a certificate file (.pem, .cer or .pfx) for tls "
                        + "mode terminate)",
                "services[sstp-backup].ports[0]: 443 (expected: a VIP address and port that no other listener uses; "
                        + "services[sstp].ports[0] already listens on TCP 0.0.0.0:443)",
                "pools[vpn].members[0].port: 500 (expected: no port: services[ikev2] listens on 2 ports and all of "
                        + "them would reach member port 500; map each one in the service instead, with ports: "
                        + "[\"VIP:MEMBER\", ...])",
                "pools[vpn].members[1].weight: 1001 (expected: 0..1000)",
                "pools[vpn].members[2]: 10.0.0.12 (expected: a member listed once; members[1] has the same address "
                        + "and port)",
                "pools[vpn].health-check.timeout: 2s (expected: at most the interval, 1s)",
                "pools[vpn-sstp].members: none (expected: at least one member)");
    }

    @Test
    void aMissingFileIsAReadErrorNamingTheFileAndTheReason() {
        Path missing = dir.resolve("nope.yaml");

        assertThatThrownBy(() -> ConfigLoader.load(missing))
                .isInstanceOf(ConfigReadException.class)
                .hasMessage("cannot read " + missing + ": no such file");
    }

    @Test
    void aDirectoryIsAReadError() {
        assertThatThrownBy(() -> ConfigLoader.load(dir))
                .isInstanceOf(ConfigReadException.class)
                .hasMessage("cannot read " + dir + ": it is a directory");
    }

    @Test
    void textThatIsNotUtf8IsAReadError() throws Exception {
        Path file = dir.resolve("latin1.yaml");
        Files.write(file, "admin: { token-file: /etc/vpnlb/cl\u00e9 }\n".getBytes(StandardCharsets.ISO_8859_1));

        assertThatThrownBy(() -> ConfigLoader.load(file))
                .isInstanceOf(ConfigReadException.class)
                .hasMessage("cannot read " + file + ": not UTF-8 text");
    }

    @Test
    void invalidYamlIsAReadErrorWithFileLineAndColumnOnOneLine() throws Exception {
        Path file = write("bad.yaml", """
                transport: auto
                admin:
                  listen: a: b
                """);

        assertThatThrownBy(() -> ConfigLoader.load(file))
                .isInstanceOf(ConfigReadException.class)
                .hasMessage(file + ": not valid YAML at line 3, column 12: mapping values are not allowed here");
    }

    @Test
    void anUnclosedListNamesWhereTheParserGaveUp() {
        assertThatThrownBy(() -> ConfigLoader.parse("services: [a, b\n", "inline.yaml"))
                .isInstanceOf(ConfigReadException.class)
                .hasMessage("inline.yaml: not valid YAML at line 2, column 1: expected ',' or ']', but got <stream "
                        + "end> (while parsing a flow sequence)");
    }

    @Test
    void aRepeatedKeyIsInvalidYaml() {
        assertThatThrownBy(() -> ConfigLoader.parse("admin:\n  listen: 127.0.0.1:1\n  listen: 127.0.0.1:2\n", "d.yaml"))
                .isInstanceOf(ConfigReadException.class)
                .hasMessageStartingWith("d.yaml: not valid YAML at line 3, column ")
                .hasMessageEndingWith(": Duplicate field 'listen'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "# only a comment\n", "---\n", "~"})
    void anEmptyDocumentIsAViolationWithoutAConfig(String yaml) throws Exception {
        LoadResult result = ConfigLoader.parse(yaml, "empty.yaml");

        assertThat(result.config()).isNull();
        assertThat(result.valid()).isFalse();
        assertThat(result.violations()).extracting(Violation::toString).containsExactly(
                "(document): empty (expected: a mapping with the keys transport, admin, services, pools)");
    }

    @Test
    void aDocumentThatIsNotAMappingIsAViolationWithoutAConfig() throws Exception {
        LoadResult result = ConfigLoader.parse("- ikev2\n- sstp\n", "list.yaml");

        assertThat(result.config()).isNull();
        assertThat(result.violations()).extracting(Violation::toString).containsExactly(
                "(document): a list (expected: a mapping with the keys transport, admin, services, pools)");
    }

    @Test
    void aSecondDocumentIsAViolation() throws Exception {
        LoadResult result = ConfigLoader.parse(ConfigLoader.embeddedDefaultText() + "---\ntransport: nio\n", "two");

        assertThat(result.config()).isEqualTo(ConfigLoader.embeddedDefault());
        assertThat(result.violations()).extracting(Violation::toString).containsExactly(
                "(document): more than one YAML document (expected: a single document; remove the second ---)");
    }

    @Test
    void aSyntaxErrorInASecondDocumentIsStillAReadError() {
        assertThatThrownBy(() -> ConfigLoader.parse("transport: nio\n---\nadmin: [\n", "two.yaml"))
                .isInstanceOf(ConfigReadException.class)
                .hasMessageStartingWith("two.yaml: not valid YAML at line 4, column 1: ");
    }

    @Test
    void yamlAliasesAreViolationsBecauseTheyWouldReadAsTheirName() throws Exception {
        assertThat(messages("""
                services:
                  - { name: &n ikev2, type: ikev2, pool: vpn }
                pools:
                  - { name: vpn, members: [{ address: 10.0.0.11 }] }
                  - { name: *n, members: [{ address: 10.0.0.12 }] }
                """)).containsExactly("(document): alias *n at line 5, column 13 (expected: values written out; "
                + "YAML anchors and aliases are not supported)");
    }

    @Test
    void aByteOrderMarkAndWindowsLineEndingsAreAccepted() throws Exception {
        Path file = dir.resolve("notepad.yaml");
        String text = "\uFEFF" + ConfigLoader.embeddedDefaultText().replace("\n", "\r\n");
        Files.writeString(file, text, StandardCharsets.UTF_8);

        LoadResult result = ConfigLoader.load(file);

        assertThat(result.violations()).isEmpty();
        assertThat(result.config()).isEqualTo(ConfigLoader.embeddedDefault());
    }

    @Test
    void aResultWithoutAConfigIsNeverValid() {
        assertThat(new LoadResult(null, List.of()).valid()).isFalse();
    }

    private static LoadResult parse(String yaml) throws ConfigReadException {
        return ConfigLoader.parse(yaml, "test.yaml");
    }

    private static List<String> messages(String yaml) throws ConfigReadException {
        return parse(yaml).violations().stream().map(Violation::toString).toList();
    }

    /** A valid single-service configuration with one more line in the ikev2 service. */
    private static String ikev2With(String line) {
        return "services:\n  - name: ikev2\n    type: ikev2\n    pool: vpn\n    " + line + "\n"
                + "pools: [{ name: vpn, members: [{ address: 10.0.0.11 }] }]\n";
    }

    private static ServiceConfig service(String name, ServiceType type, List<PortMapping> ports, TlsConfig tls) {
        return new ServiceConfig(name, type, ServiceConfig.DEFAULT_LISTEN, ports, "vpn",
                ServiceConfig.DEFAULT_SOURCE_NAT, PersistenceConfig.DEFAULT, ServiceConfig.DEFAULT_SESSION_IDLE_TIMEOUT,
                ServiceConfig.DEFAULT_MAX_SESSIONS, tls);
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = ConfigLoaderTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
