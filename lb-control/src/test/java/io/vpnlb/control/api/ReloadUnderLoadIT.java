package io.vpnlb.control.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.vpnlb.control.api.AdminFixture.Member;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * 100 clients send continuously (one datagram in flight each, answered by an echo member) across a reload that
 * adds a member and changes the idle timeout: no datagram of an existing session is lost and no session changes
 * member.
 */
class ReloadUnderLoadIT {

    private static final int CLIENTS = 100;

    private AdminFixture fixture;

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    /** One client's tally. */
    private static final class Client {
        final String address;
        final AtomicLong sent = new AtomicLong();
        final AtomicLong received = new AtomicLong();
        final Set<String> members = new HashSet<>();

        Client(String address) {
            this.address = address;
        }
    }

    @Test
    void reloadAddingAMemberAndChangingATimeoutLosesNoDatagram() throws Exception {
        fixture = new AdminFixture().start("maglev", "5m", Member.of("127.0.1.1"), Member.of("127.0.1.2"));
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(new Client("127.0.12." + (i + 1)));
        }
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> done = new ArrayList<>();
        try {
            for (Client client : clients) {
                done.add(pool.submit(() -> {
                    try (DatagramSocket socket = AdminFixture.client(client.address)) {
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                        while (running.get() && System.nanoTime() < deadline) {
                            long n = client.sent.incrementAndGet();
                            String member = AdminFixture.exchange(socket, fixture.vip(), client.address + "#" + n);
                            if (member != null) {
                                client.received.incrementAndGet();
                                synchronized (client.members) {
                                    client.members.add(member);
                                }
                            }
                        }
                    }
                    return null;
                }));
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> clients.stream().allMatch(c -> c.received.get() >= 20));
            long[] before = new long[CLIENTS];
            for (int i = 0; i < CLIENTS; i++) {
                before[i] = clients.get(i).received.get();
            }

            fixture.write("maglev", "9m", Member.of("127.0.1.1"), Member.of("127.0.1.2"), Member.of("127.0.1.3"));
            AdminFixture.Answer reload = fixture.call("POST", "/api/v1/reload", null);
            assertThat(reload.status()).as(reload.body()).isEqualTo(200);
            assertThat(reload.json().path("result").asText()).isEqualTo("applied");
            assertThat(reload.json().path("changes").toString()).contains("5m -> 9m", "127.0.1.3");

            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (int i = 0; i < CLIENTS; i++) {
                    if (clients.get(i).received.get() < before[i] + 20) {
                        return false;
                    }
                }
                return true;
            });
        } finally {
            running.set(false);
            for (Future<?> future : done) {
                future.get(30, TimeUnit.SECONDS);
            }
            pool.shutdownNow();
        }
        long sent = 0;
        long received = 0;
        for (Client client : clients) {
            sent += client.sent.get();
            received += client.received.get();
            assertThat(client.received.get()).as("client %s", client.address).isEqualTo(client.sent.get());
            assertThat(client.members).as("client %s", client.address).hasSize(1).doesNotContain("127.0.1.3");
        }
        assertThat(received).isEqualTo(sent).isGreaterThanOrEqualTo(CLIENTS * 40L);

        JsonNode service = fixture.get("/api/v1/services").json().path("services").get(0);
        assertThat(service.path("session_idle_timeout").asText()).isEqualTo("9m");
        assertThat(service.path("listeners").get(0).path("sessions_created").asLong()).isEqualTo(CLIENTS);
        // New clients reach the added member too.
        Set<String> reached = new HashSet<>();
        for (String address : AdminFixture.addresses("127.0.13.", 1, 30)) {
            reached.add(fixture.newSession(address, "new"));
        }
        assertThat(reached).contains("127.0.1.3");
    }
}
