package io.vpnlb.config.validate;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AddressesTest {

    @ParameterizedTest
    @CsvSource({
        "0.0.0.0, 0.0.0.0",
        "10.0.0.11, 10.0.0.11",
        "255.255.255.255, 255.255.255.255",
        "127.0.1.3, 127.0.1.3",
    })
    void parsesIpv4(String text, String expected) {
        InetAddress address = Addresses.parseIp(text);

        assertThat(address).isInstanceOf(Inet4Address.class);
        assertThat(address.getHostAddress()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
        "::, 0:0:0:0:0:0:0:0",
        "::1, 0:0:0:0:0:0:0:1",
        "fd00::11, fd00:0:0:0:0:0:0:11",
        "FD00:0:0:0:0:0:0:11, fd00:0:0:0:0:0:0:11",
        "2001:db8::, 2001:db8:0:0:0:0:0:0",
        "2001:db8:1:2:3:4:5::, 2001:db8:1:2:3:4:5:0",
        "1::2:3:4:5:6:7, 1:0:2:3:4:5:6:7",
        "::ffff:0:10.0.0.1, 0:0:0:0:ffff:0:a00:1",
        "64:ff9b::192.0.2.33, 64:ff9b:0:0:0:0:c000:221",
    })
    void parsesIpv6(String text, String expected) {
        InetAddress address = Addresses.parseIp(text);

        assertThat(address).isInstanceOf(Inet6Address.class);
        assertThat(address.getHostAddress()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "localhost", "vpn.example.com", "10.0.0", "10.0.0.0.1", "10.0.0.256", "010.0.0.1",
        "10..0.1", "10.0.0.1.", "-1.0.0.0", "1.2.3.4 ", " 1.2.3.4", "0x7f.0.0.1", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
        "1::2::3", ":::", ":1", "1:", "12345::", "g::1", "fe80::1%eth0", "[::1]", "::1.2.3", "1.2.3.4::",
        "1:2:3:4:5:6:7:1.2.3.4", "\u0661.0.0.1", "::\u0661"})
    void rejectsAnythingThatIsNotALiteral(String text) {
        assertThat(Addresses.parseIp(text)).isNull();
    }

    @ParameterizedTest
    @CsvSource({
        "127.0.0.1:9090, 127.0.0.1, 9090",
        "0.0.0.0:0, 0.0.0.0, 0",
        "[::1]:9090, 0:0:0:0:0:0:0:1, 9090",
        "[::]:65535, 0:0:0:0:0:0:0:0, 65535",
    })
    void parsesHostPort(String text, String address, int port) {
        InetSocketAddress parsed = Addresses.parseHostPort(text);

        assertThat(parsed.isUnresolved()).isFalse();
        assertThat(parsed.getAddress().getHostAddress()).isEqualTo(address);
        assertThat(parsed.getPort()).isEqualTo(port);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "127.0.0.1", "localhost:9090", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1",
        "127.0.0.1:90a", "127.0.0.1:123456", "::1:9090", "[::1]", "[::1]:", "[127.0.0.1]:80", "[::1]9090", "[::1:80"})
    void rejectsMalformedHostPort(String text) {
        assertThat(Addresses.parseHostPort(text)).isNull();
    }
}
