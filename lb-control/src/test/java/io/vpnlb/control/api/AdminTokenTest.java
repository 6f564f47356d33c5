package io.vpnlb.control.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdminTokenTest {

    @TempDir
    Path dir;

    @Test
    void anExistingTokenFileIsReadAndCompared() throws Exception {
        Path file = dir.resolve("admin.token");
        Files.writeString(file, "  s3cret-token \n");
        AdminToken token = AdminToken.loadOrCreate(file, dir.resolve("fallback/admin.token"));
        assertThat(token.file()).isEqualTo(file);
        assertThat(token.matches("s3cret-token")).isTrue();
        assertThat(token.matches("s3cret-tokem")).isFalse();
        assertThat(token.matches("s3cret")).isFalse();
        assertThat(token.matches("")).isFalse();
        assertThat(token.matches(null)).isFalse();
    }

    @Test
    void aMissingFileInAWritableDirectoryIsCreatedWithMode0600() throws Exception {
        Path file = dir.resolve("admin.token");
        AdminToken token = AdminToken.loadOrCreate(file, dir.resolve("fallback/admin.token"));
        assertThat(token.file()).isEqualTo(file);
        String written = Files.readString(file).strip();
        assertThat(written).matches("[0-9a-f]{64}");
        assertThat(token.matches(written)).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(AdminToken.loadOrCreate(file, dir.resolve("fallback/admin.token")).matches(written)).isTrue();
    }

    @Test
    void aMissingDirectoryFallsBackToAPrivateFileThatIsReusedOnTheNextStart() throws Exception {
        Path configured = dir.resolve("etc/vpnlb/admin.token");
        Path fallback = dir.resolve("run/vpnlb/admin.token");
        AdminToken first = AdminToken.loadOrCreate(configured, fallback);
        assertThat(first.file()).isEqualTo(fallback);
        assertThat(configured).doesNotExist();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fallback))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fallback.getParent())))
                .isEqualTo("rwx------");
        String written = Files.readString(fallback).strip();
        assertThat(AdminToken.loadOrCreate(configured, fallback).matches(written)).isTrue();
    }

    @Test
    void anEmptyTokenFileIsAnError() throws Exception {
        Path file = dir.resolve("admin.token");
        Files.writeString(file, "\n");
        assertThatThrownBy(() -> AdminToken.loadOrCreate(file, dir.resolve("fallback/admin.token")))
                .isInstanceOf(AdminToken.TokenException.class)
                .hasMessage("admin token file " + file + " is empty");
    }
}
