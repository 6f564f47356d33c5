package io.vpnlb.control.api;

import io.vpnlb.control.pool.AdminState;
import io.vpnlb.control.pool.MemberState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

import static io.vpnlb.control.api.AdminFixture.Member;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The status page in headless Chromium: it loads with no console error, shows the members of the configuration,
 * and a drain clicked on the page reaches the API. The screenshot is kept as {@code target/status-page.png}.
 */
class StatusPageIT {

    private AdminFixture fixture;
    private DevTools browser;
    private Path profile;

    @AfterEach
    void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
        if (fixture != null) {
            fixture.close();
        }
        if (profile != null) {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    @Test
    void pageShowsTheMembersAndADrainClickReachesTheApi() throws Exception {
        String chromium = MetricsIT.onPath("chromium");
        if (chromium == null) {
            chromium = MetricsIT.onPath("chromium-browser");
        }
        Assumptions.assumeTrue(chromium != null,
                "chromium is not installed (Debian package chromium; .ci/run installs it): skipping the status page test");
        fixture = new AdminFixture().start("maglev", "5m", Member.of("127.0.1.1"), Member.of("127.0.1.2"),
                new Member("127.0.1.3", 100, 2));
        for (String address : AdminFixture.addresses("127.0.15.", 1, 8)) {
            assertThat(fixture.newSession(address, "traffic")).isNotNull();
        }
        profile = Files.createTempDirectory("vpnlb-chromium-");
        browser = DevTools.launch(chromium, profile);
        browser.navigate(fixture.base() + "/#token=" + fixture.token);

        await().atMost(Duration.ofSeconds(30)).until(() ->
                browser.evaluate("document.body.dataset.loaded === 'true' && "
                        + "document.querySelectorAll('tr[data-member]').length === 3").asBoolean());
        String rows = browser.evaluate("Array.from(document.querySelectorAll('tr[data-member]'))"
                + ".map(r => r.innerText).join('\\n')").asText();
        assertThat(rows).contains("127.0.1.1:", "127.0.1.2:", "127.0.1.3:", "ready", "up");
        assertThat(browser.evaluate("document.getElementById('services').innerText").asText()).contains("ike");
        assertThat(browser.evaluate("window.location.hash").asText()).as("token removed from the URL").isEmpty();

        MemberState target = fixture.balancer.pools().members("vpn").get(1);
        String member = target.address().getHostAddress() + ":" + target.config().port();
        assertThat(browser.evaluate("(() => { const b = document.querySelector("
                + "'section[data-pool=\"vpn\"] tr[data-member=\"" + member + "\"] button[data-action=\"drain\"]');"
                + " if (!b) return false; b.click(); return true; })()").asBoolean()).isTrue();

        await().atMost(Duration.ofSeconds(15)).until(() ->
                fixture.balancer.pools().member("vpn", target.key()).adminState() == AdminState.DRAIN);
        await().atMost(Duration.ofSeconds(15)).until(() -> browser.evaluate(
                "document.querySelector('tr[data-member=\"" + member + "\"]').innerText.includes('drain')")
                .asBoolean());
        assertThat(fixture.member("127.0.1.2").path("admin_state").asText()).isEqualTo("drain");

        Path screenshot = Path.of("target", "status-page.png");
        Files.createDirectories(screenshot.getParent());
        Files.write(screenshot, browser.screenshot());
        assertThat(Files.size(screenshot)).isGreaterThan(1000);
        assertThat(browser.errors).as("console errors and exceptions").isEmpty();
    }
}
