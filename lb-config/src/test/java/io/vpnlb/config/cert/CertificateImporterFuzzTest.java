package io.vpnlb.config.cert;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of {@link CertificateImporter#load} on certificate files of every format. Seeds: files
 * made with openssl 3 (PEM chain and key, encrypted PKCS#8 and traditional keys, EC, a CSR, DER and Base-64 .cer,
 * PKCS#7, PKCS#12 with AES and legacy encryption), in {@code CertificateImporterFuzzTestInputs/}; the password of
 * the encrypted ones is {@value #PASSWORD}.
 *
 * <p>Input: byte 0 chooses the file name's extension (bits 0..1: .pem, .cer, .pfx, .crt), whether a password file
 * is given (bit 2), and the options (bit 3: key required, bit 4: reject expired); the rest is the file. Whatever
 * the bytes: a bundle with a leaf, or a {@link CertificateException} whose message names the file and a problem;
 * never another exception.
 */
class CertificateImporterFuzzTest {

    static final String PASSWORD = "secret";
    private static final String[] EXTENSIONS = {".pem", ".cer", ".pfx", ".crt"};
    private static final Path DIR = directory();
    private static final Instant NOW = Instant.now();

    @FuzzTest(maxDuration = "20s")
    @Timeout(10)
    void load(byte[] input) throws IOException {
        if (input.length == 0) {
            return;
        }
        int selector = input[0];
        Path file = DIR.resolve("certificate" + EXTENSIONS[selector & 3]);
        Files.write(file, Arrays.copyOfRange(input, 1, input.length));
        Path passwordFile = (selector & 4) != 0 ? DIR.resolve("password") : null;
        CertificateImporter.Options options = new CertificateImporter.Options((selector & 8) != 0,
                (selector & 16) != 0, NOW);
        CertificateBundle bundle;
        try {
            bundle = CertificateImporter.load(file, passwordFile, options);
        } catch (CertificateException e) {
            assertThat(e.getMessage()).startsWith(file + ": ");
            assertThat(e.getMessage().length()).isGreaterThan(file.toString().length() + 2);
            assertThat(e.problem()).isNotNull();
            return;
        }
        assertThat(bundle.chain()).isNotEmpty();
        assertThat(bundle.leaf()).isNotNull();
        assertThat(bundle.sha256()).hasSize(32);
        assertThat(bundle.sha1()).hasSize(20);
        assertThat(bundle.subject()).isNotNull();
        if (options.requireKey()) {
            assertThat(bundle.hasKey()).isTrue();
        }
    }

    private static Path directory() {
        try {
            Path dir = Files.createTempDirectory("vpnlb-certificate-fuzz-");
            Files.writeString(dir.resolve("password"), PASSWORD + "\n", StandardCharsets.UTF_8);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void removeDirectory() throws IOException {
        try (Stream<Path> files = Files.walk(DIR)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
