package io.vpnlb.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A file system tree that stands for a fresh Debian host's root: its own user database (root only) and an empty
 * dpkg database. {@code dpkg --root} and {@code install.sh --root} install into it without touching the host.
 */
final class ScratchRoot {

    final Path dir;

    private ScratchRoot(Path dir) {
        this.dir = dir;
    }

    static ScratchRoot create(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("etc"));
        Files.writeString(dir.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/bash\n");
        Files.writeString(dir.resolve("etc/group"), "root:x:0:\n");
        Files.writeString(dir.resolve("etc/shadow"), "root:*:19000:0:99999:7:::\n");
        Files.writeString(dir.resolve("etc/gshadow"), "root:*::\n");
        for (String secret : List.of("etc/shadow", "etc/gshadow")) {
            Files.setPosixFilePermissions(dir.resolve(secret), PosixFilePermissions.fromString("rw-r-----"));
        }
        for (String admin : List.of("info", "updates", "triggers")) {
            Files.createDirectories(dir.resolve("var/lib/dpkg").resolve(admin));
        }
        Files.writeString(dir.resolve("var/lib/dpkg/status"), "");
        Files.writeString(dir.resolve("var/lib/dpkg/available"), "");
        return new ScratchRoot(dir);
    }

    /** {@code absolute} (such as {@code /etc/vpnlb}) inside this root. */
    Path path(String absolute) {
        assertThat(absolute).startsWith("/");
        return dir.resolve(absolute.substring(1));
    }

    /** The numeric id of {@code name} in this root's etc/passwd, or -1. */
    int uid(String name) throws IOException {
        return id("etc/passwd", name);
    }

    /** The numeric id of {@code name} in this root's etc/group, or -1. */
    int gid(String name) throws IOException {
        return id("etc/group", name);
    }

    /** The etc/passwd line of {@code name}, split at ':', or {@code null}. */
    String[] passwd(String name) throws IOException {
        for (String line : Files.readAllLines(dir.resolve("etc/passwd"))) {
            String[] fields = line.split(":", -1);
            if (fields[0].equals(name)) {
                return fields;
            }
        }
        return null;
    }

    private int id(String file, String name) throws IOException {
        for (String line : Files.readAllLines(dir.resolve(file))) {
            String[] fields = line.split(":", -1);
            if (fields[0].equals(name)) {
                return Integer.parseInt(fields[2]);
            }
        }
        return -1;
    }

    /** "mode uid gid" of {@code absolute}, mode in octal, without following a final link. */
    String owner(String absolute) throws IOException {
        Path path = path(absolute);
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
        return String.format("%04o %d %d", mode,
                (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS),
                (Integer) Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS));
    }
}
