package io.vpnlb.control.persistence;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class SaTableTest {

    @Test
    void learnsListsAndForgetsSasPerMember() throws Exception {
        InetAddress one = InetAddress.getByName("10.0.0.11");
        InetAddress two = InetAddress.getByName("10.0.0.12");
        SaTable table = new SaTable(Duration.ofMinutes(10), 100);
        table.learnIke(0x0102030405060708L, 0x1112131415161718L, one);
        table.learnEsp(0xc0ffee01, one);
        table.learnIke(0x2222L, 0, two);

        assertThat(table.ikeHolder(0x0102030405060708L, 0)).isEqualTo(one);
        assertThat(table.ikeHolder(0x9999L, 0x1112131415161718L)).isEqualTo(one);
        assertThat(table.espHolder(0xc0ffee01)).isEqualTo(one);
        assertThat(table.entries(one)).extracting(e -> e.kind() + " " + e.spi())
                .containsExactlyInAnyOrder("ike 0102030405060708", "esp c0ffee01");
        assertThat(table.entries(null)).hasSize(3);

        assertThat(table.removeMemberCounted(one)).isEqualTo(2);
        assertThat(table.ikeHolder(0x0102030405060708L, 0x1112131415161718L)).isNull();
        assertThat(table.espHolder(0xc0ffee01)).isNull();
        assertThat(table.clear()).isEqualTo(1);
        assertThat(table.entries(null)).isEmpty();
    }
}
