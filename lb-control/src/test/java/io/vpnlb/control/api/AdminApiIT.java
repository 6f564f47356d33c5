package io.vpnlb.control.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.vpnlb.control.pool.AdminState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static io.vpnlb.control.api.AdminFixture.Member;
import static org.assertj.core.api.Assertions.assertThat;

/** Every admin endpoint over HTTP on loopback, with the auth failures and bad bodies. */
class AdminApiIT {

    private AdminFixture fixture;

    @BeforeEach
    void start() throws Exception {
        fixture = new AdminFixture().start("maglev", "5m",
                Member.of("127.0.1.1"), Member.of("127.0.1.2"), new Member("127.0.1.3", 100, 2));
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    @Test
    void generatedTokenFileIsPrivate() throws Exception {
        assertThat(fixture.token).hasSize(64);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fixture.tokenFile)))
                .isEqualTo("rw-------");
    }

    @Test
    void apiNeedsTheBearerToken() throws Exception {
        for (String path : List.of("/api/v1/services", "/api/v1/pools", "/api/v1/pools/vpn/members",
                "/api/v1/persistence", "/api/v1/certificates", "/api/v1/nothing")) {
            AdminFixture.Answer missing = fixture.call("GET", path, null, null);
            assertThat(missing.status()).as(path).isEqualTo(401);
            assertThat(missing.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"vpnlb\"");
            assertThat(missing.json().path("error").asText()).contains("missing bearer token");
            AdminFixture.Answer wrong = fixture.call("GET", path, null, fixture.token + "x");
            assertThat(wrong.status()).as(path).isEqualTo(401);
            assertThat(wrong.json().path("error").asText()).isEqualTo("wrong bearer token");
        }
        assertThat(fixture.call("PATCH", "/api/v1/pools/vpn/members/127.0.1.1", "{\"admin_state\":\"maint\"}", "nope")
                .status()).isEqualTo(401);
        assertThat(fixture.call("POST", "/api/v1/reload", null, null).status()).isEqualTo(401);
        assertThat(fixture.call("DELETE", "/api/v1/persistence?all=true", null, "").status()).isEqualTo(401);
        assertThat(fixture.balancer.pools().member("vpn", "127.0.1.1:" + fixture.members.get("127.0.1.1").port())
                .adminState()).isEqualTo(AdminState.READY);
    }

    @Test
    void publicEndpointsNeedNoToken() throws Exception {
        AdminFixture.Answer health = fixture.call("GET", "/healthz", null, null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().path("status").asText()).isEqualTo("alive");
        AdminFixture.Answer ready = fixture.call("GET", "/readyz", null, null);
        assertThat(ready.status()).as(ready.body()).isEqualTo(200);
        assertThat(ready.json().path("ready").asBoolean()).isTrue();
        AdminFixture.Answer metrics = fixture.call("GET", "/metrics", null, null);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.header("Content-Type")).startsWith("text/plain; version=0.0.4");
        assertThat(metrics.body()).contains("vpnlb_member_weight{member=\"127.0.1.1:");
        AdminFixture.Answer openapi = fixture.call("GET", "/api/v1/openapi.json", null, null);
        assertThat(openapi.status()).isEqualTo(200);
        assertThat(openapi.json().path("openapi").asText()).startsWith("3.");
        assertThat(openapi.json().path("paths").has("/api/v1/pools/{pool}/members/{address}")).isTrue();
        AdminFixture.Answer page = fixture.call("GET", "/", null, null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(page.header("Content-Security-Policy")).contains("default-src 'self'");
        assertThat(page.body()).contains("<script src=\"/status.js\"").doesNotContain("http://", "https://");
        assertThat(fixture.call("GET", "/status.js", null, null).status()).isEqualTo(200);
        assertThat(fixture.call("GET", "/status.css", null, null).status()).isEqualTo(200);
        assertThat(fixture.call("GET", "/nothing", null, null).status()).isEqualTo(404);
        AdminFixture.Answer post = fixture.call("POST", "/healthz", "{}", null);
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.header("Allow")).isEqualTo("GET");
    }

    @Test
    void readyzIsUnavailableWhenNoMemberTakesNewClients() throws Exception {
        for (String member : List.of("127.0.1.1", "127.0.1.2", "127.0.1.3")) {
            fixture.patch(member, "{\"admin_state\":\"maint\"}");
        }
        AdminFixture.Answer ready = fixture.call("GET", "/readyz", null, null);
        assertThat(ready.status()).isEqualTo(503);
        assertThat(ready.json().path("reasons").toString()).contains("service ike: no member of pool vpn");
        fixture.patch("127.0.1.3", "{\"admin_state\":\"ready\"}");
        assertThat(fixture.call("GET", "/readyz", null, null).status()).isEqualTo(200);
    }

    @Test
    void servicesPoolsAndMembersDescribeTheRunningConfiguration() throws Exception {
        try (DatagramSocket socket = AdminFixture.client("127.0.4.1")) {
            assertThat(AdminFixture.exchange(socket, fixture.vip(), "hello")).isNotNull();
        }
        JsonNode services = fixture.get("/api/v1/services").json().path("services");
        assertThat(services).hasSize(1);
        JsonNode service = services.get(0);
        assertThat(service.path("name").asText()).isEqualTo("ike");
        assertThat(service.path("pool").asText()).isEqualTo("vpn");
        assertThat(service.path("session_idle_timeout").asText()).isEqualTo("5m");
        assertThat(service.path("persistence").path("entries").asLong()).isEqualTo(1);
        JsonNode listener = service.path("listeners").get(0);
        assertThat(listener.path("listen_port").asInt()).isEqualTo(fixture.vipPort);
        assertThat(listener.path("bound").asBoolean()).isTrue();
        assertThat(listener.path("rx_datagrams").asLong()).isEqualTo(1);
        assertThat(listener.path("tx_datagrams").asLong()).isEqualTo(1);
        assertThat(listener.path("sessions_created").asLong()).isEqualTo(1);
        assertThat(listener.path("drops").path("no_member").asLong()).isZero();

        JsonNode pools = fixture.get("/api/v1/pools").json().path("pools");
        assertThat(pools).hasSize(1);
        assertThat(pools.get(0).path("algorithm").asText()).isEqualTo("maglev");
        assertThat(pools.get(0).path("active_priority").asInt()).isEqualTo(1);
        assertThat(pools.get(0).path("selectable")).hasSize(2);
        assertThat(pools.get(0).path("services").get(0).asText()).isEqualTo("ike");

        JsonNode members = fixture.get("/api/v1/pools/vpn/members").json().path("members");
        assertThat(members).hasSize(3);
        JsonNode standby = members.get(2);
        assertThat(standby.path("address").asText()).isEqualTo("127.0.1.3");
        assertThat(standby.path("priority").asInt()).isEqualTo(2);
        assertThat(standby.path("health").asText()).isEqualTo("up");
        assertThat(standby.path("admin_state").asText()).isEqualTo("ready");
        assertThat(standby.path("eligible").asBoolean()).isTrue();
        assertThat(standby.path("selectable").asBoolean()).isFalse();
        long selections = 0;
        for (JsonNode member : members) {
            selections += member.path("selections").asLong();
            assertThat(member.has("last_check")).isTrue();
            assertThat(java.time.Instant.parse(member.path("health_since").asText())).isBeforeOrEqualTo(
                    java.time.Instant.now());
            assertThat(member.path("went_down").isIntegralNumber()).isTrue();
            assertThat(member.path("went_down").asLong()).isZero();
            assertThat(member.path("came_up").asLong()).isZero();
            assertThat(member.has("active_sessions")).isTrue();
        }
        assertThat(selections).isEqualTo(1);
        assertThat(fixture.get("/api/v1/pools/nope/members").status()).isEqualTo(404);
        assertThat(fixture.get("/api/v1/pools/nope/members").json().path("error").asText()).contains("pools: vpn");
    }

    @Test
    void patchChangesAdminStateAndWeightByAddressOrAddressAndPort() throws Exception {
        int port = fixture.members.get("127.0.1.1").port();
        AdminFixture.Answer drained = fixture.call("PATCH", "/api/v1/pools/vpn/members/127.0.1.1",
                "{\"admin_state\":\"drain\",\"weight\":50}");
        assertThat(drained.status()).as(drained.body()).isEqualTo(200);
        assertThat(drained.json().path("admin_state").asText()).isEqualTo("drain");
        assertThat(drained.json().path("weight").asInt()).isEqualTo(50);
        assertThat(drained.json().path("configured_weight").asInt()).isEqualTo(100);
        assertThat(drained.json().path("eligible").asBoolean()).isFalse();
        AdminFixture.Answer ready = fixture.call("PATCH", "/api/v1/pools/vpn/members/127.0.1.1:" + port,
                "{\"admin_state\":\"READY\"}");
        assertThat(ready.status()).as(ready.body()).isEqualTo(200);
        assertThat(fixture.member("127.0.1.1").path("admin_state").asText()).isEqualTo("ready");
        assertThat(fixture.member("127.0.1.1:" + port).path("weight").asInt()).isEqualTo(50);
    }

    @Test
    void patchOfUnknownPoolOrMemberIs404() throws Exception {
        String body = "{\"admin_state\":\"drain\"}";
        assertThat(fixture.call("PATCH", "/api/v1/pools/nope/members/127.0.1.1", body).status()).isEqualTo(404);
        AdminFixture.Answer member = fixture.call("PATCH", "/api/v1/pools/vpn/members/127.0.9.9", body);
        assertThat(member.status()).isEqualTo(404);
        assertThat(member.json().path("error").asText()).contains("127.0.1.1", "127.0.1.2", "127.0.1.3");
        assertThat(fixture.call("PATCH", "/api/v1/pools/vpn/members/127.0.1.1:1", body).status()).isEqualTo(404);
        assertThat(fixture.call("PATCH", "/api/v1/pools/vpn/members/not-an-ip", body).status()).isEqualTo(404);
        assertThat(fixture.call("GET", "/api/v1/pools/vpn/members/127.0.1.1/extra", null).status()).isEqualTo(404);
    }

    @Test
    void badBodiesAre422WithEveryViolationAndChangeNothing() throws Exception {
        AdminFixture.Answer answer = fixture.call("PATCH", "/api/v1/pools/vpn/members/127.0.1.1",
                "{\"admin_state\":\"sleep\",\"weight\":2000,\"colour\":\"red\"}");
        assertThat(answer.status()).isEqualTo(422);
        List<String> messages = messages(answer.json());
        assertThat(messages).containsExactlyInAnyOrder(
                "admin_state: \"sleep\" (expected: one of ready, drain, maint)",
                "weight: 2000 (expected: an integer 0..1000)",
                "colour: unknown key (expected: one of admin_state, weight)");
        assertThat(messages(fixture.call("PATCH", "/api/v1/pools/vpn/members/127.0.1.1", "{\"weight\":-1}").json()))
                .containsExactly("weight: -1 (expected: an integer 0..1000)");
        assertThat(messages(fixture.call("PATCH", "/api/v1/pools/vpn/members/127.0.1.1", "{\"weight\":\"5\"}").json()))
                .containsExactly("weight: \"5\" (expected: an integer 0..1000)");
        for (String bad : List.of("not json", "[1,2]", "{}", "")) {
            AdminFixture.Answer rejected = fixture.call("PATCH", "/api/v1/pools/vpn/members/127.0.1.1", bad);
            assertThat(rejected.status()).as(bad).isEqualTo(422);
            assertThat(messages(rejected.json())).as(bad).singleElement().asString().startsWith("(body): ");
        }
        JsonNode member = fixture.member("127.0.1.1");
        assertThat(member.path("admin_state").asText()).isEqualTo("ready");
        assertThat(member.path("weight").asInt()).isEqualTo(100);
    }

    @Test
    void bodiesOverTheLimitAre413() throws Exception {
        int size = AdminServer.MAX_BODY_BYTES + 1;
        try (Socket socket = new Socket("127.0.0.1", fixture.balancer.adminAddress().getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("PATCH /api/v1/pools/vpn/members/127.0.1.1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                    + fixture.token + "\r\nContent-Type: application/json\r\nContent-Length: " + size + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] head = new byte[12];
            int read = 0;
            while (read < head.length) {
                int n = in.read(head, read, head.length - read);
                if (n < 0) {
                    break;
                }
                read += n;
            }
            assertThat(new String(head, 0, read, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 413");
        }
        assertThat(fixture.member("127.0.1.1").path("admin_state").asText()).isEqualTo("ready");
    }

    @Test
    void persistenceCanBeListedFilteredAndFlushed() throws Exception {
        List<String> clients = AdminFixture.addresses("127.0.4.", 10, 6);
        List<String> reached = new ArrayList<>();
        for (String client : clients) {
            reached.add(fixture.newSession(client, "p"));
        }
        JsonNode all = fixture.get("/api/v1/persistence").json();
        assertThat(all.path("count").asInt()).isEqualTo(6);
        assertThat(all.path("entries").get(0).path("scope").asText()).isEqualTo("vip 127.0.0.1");
        JsonNode one = fixture.get("/api/v1/persistence?client=127.0.4.10").json();
        assertThat(one.path("count").asInt()).isEqualTo(1);
        assertThat(one.path("entries").get(0).path("member").asText()).isEqualTo(reached.get(0));
        String member = reached.get(0);
        long boundToMember = reached.stream().filter(member::equals).count();
        assertThat(fixture.get("/api/v1/persistence?member=" + member).json().path("count").asLong())
                .isEqualTo(boundToMember);

        assertThat(fixture.call("DELETE", "/api/v1/persistence?client=127.0.4.10", null).json().path("removed")
                .asInt()).isEqualTo(1);
        assertThat(fixture.get("/api/v1/persistence?client=127.0.4.10").json().path("count").asInt()).isZero();
        assertThat(fixture.call("DELETE", "/api/v1/persistence?client=127.0.4.10", null).json().path("removed")
                .asInt()).isZero();
        assertThat(fixture.call("DELETE", "/api/v1/persistence?member=" + member, null).json().path("removed")
                .asLong()).isEqualTo(boundToMember - 1);
        assertThat(fixture.call("DELETE", "/api/v1/persistence?all=true", null).json().path("removed").asLong())
                .isEqualTo(6 - boundToMember);
        assertThat(fixture.get("/api/v1/persistence").json().path("count").asInt()).isZero();
    }

    @Test
    void badPersistenceFiltersAre422() throws Exception {
        AdminFixture.Answer bad = fixture.get("/api/v1/persistence?client=nope&member=1.2.3&colour=red");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(messages(bad.json())).containsExactlyInAnyOrder(
                "colour: unknown query parameter (expected: client=IP and/or member=IP)",
                "client: nope (expected: one IP address)",
                "member: 1.2.3 (expected: one IP address)");
        AdminFixture.Answer none = fixture.call("DELETE", "/api/v1/persistence", null);
        assertThat(none.status()).isEqualTo(422);
        assertThat(messages(none.json())).containsExactly("(query): none (expected: client=IP, member=IP or all=true)");
        assertThat(fixture.call("DELETE", "/api/v1/persistence?all=yes", null).status()).isEqualTo(422);
        assertThat(fixture.call("PUT", "/api/v1/persistence", "{}").status()).isEqualTo(405);
    }

    @Test
    void certificatesAreAnEmptyListWithoutTlsServices() throws Exception {
        JsonNode answer = fixture.get("/api/v1/certificates").json();
        assertThat(answer.path("certificates").isArray()).isTrue();
        assertThat(answer.path("certificates")).isEmpty();
    }

    @Test
    void reloadAppliesAValidFileAndRejectsAnInvalidOneWithEveryViolation() throws Exception {
        AdminFixture.Answer unchanged = fixture.call("POST", "/api/v1/reload", null);
        assertThat(unchanged.status()).isEqualTo(200);
        assertThat(unchanged.json().path("result").asText()).isEqualTo("unchanged");

        fixture.write("maglev", "7m", Member.of("127.0.1.1"), Member.of("127.0.1.2"),
                new Member("127.0.1.3", 100, 2), Member.of("127.0.1.4"));
        AdminFixture.Answer applied = fixture.call("POST", "/api/v1/reload", null);
        assertThat(applied.status()).as(applied.body()).isEqualTo(200);
        assertThat(applied.json().path("result").asText()).isEqualTo("applied");
        assertThat(applied.json().path("changes").toString())
                .contains("session-idle-timeout 5m -> 7m", "member 127.0.1.4:");
        assertThat(fixture.get("/api/v1/pools/vpn/members").json().path("members")).hasSize(4);
        assertThat(fixture.get("/api/v1/services").json().path("services").get(0).path("session_idle_timeout")
                .asText()).isEqualTo("7m");
        assertThat(fixture.get("/metrics").body()).contains("member=\"127.0.1.4:")
                .contains("vpnlb_config_reloads_total{result=\"applied\"} 2.0");

        String valid = Files.readString(fixture.configFile);
        Files.writeString(fixture.configFile, valid.replace("weight: 100, priority: 2", "weight: 5000, priority: 2")
                .replace("pool: vpn", "pool: vnp"));
        AdminFixture.Answer rejected = fixture.call("POST", "/api/v1/reload", null);
        assertThat(rejected.status()).isEqualTo(422);
        assertThat(rejected.json().path("result").asText()).isEqualTo("rejected");
        assertThat(messages(rejected.json())).hasSize(2).anySatisfy(m -> assertThat(m).contains("weight: 5000"))
                .anySatisfy(m -> assertThat(m).contains("services[ike].pool: vnp"));

        Files.writeString(fixture.configFile, valid.replace("listen: 127.0.0.1:0\n", "listen: 127.0.0.1:9\n"));
        AdminFixture.Answer restart = fixture.call("POST", "/api/v1/reload", null);
        assertThat(restart.status()).isEqualTo(422);
        assertThat(messages(restart.json())).containsExactly(
                "admin.listen: 127.0.0.1:9 (expected: the running 127.0.0.1:0; changing it needs a restart)");

        Files.writeString(fixture.configFile, "services: [oops");
        AdminFixture.Answer unreadable = fixture.call("POST", "/api/v1/reload", null);
        assertThat(unreadable.status()).isEqualTo(422);
        assertThat(messages(unreadable.json()).get(0)).contains("not valid YAML");

        assertThat(fixture.get("/api/v1/pools/vpn/members").json().path("members")).hasSize(4);
        assertThat(fixture.get("/metrics").body()).contains("vpnlb_config_reloads_total{result=\"rejected\"} 3.0");
    }

    static List<String> messages(JsonNode answer) {
        List<String> messages = new ArrayList<>();
        for (JsonNode violation : answer.path("violations")) {
            messages.add(violation.path("message").asText());
        }
        return messages;
    }
}
