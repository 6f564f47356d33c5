package io.vpnlb.control.api;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * The admin API's bearer token, read from {@code admin.token-file}. When that file does not exist, a random token
 * is generated and written there with mode 0600 if its directory exists and is writable; otherwise it goes to a
 * fallback file ({@code $XDG_RUNTIME_DIR/vpnlb/admin.token}, else {@code /tmp/vpnlb-USER/admin.token}, in a
 * directory of mode 0700), so that {@code vpnlb run} works without root. The file's path is logged, never the
 * token. Comparison is in constant time.
 */
public final class AdminToken {

    private static final Logger log = LoggerFactory.getLogger(AdminToken.class);

    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");

    private final byte[] digest;
    private final Path file;

    private AdminToken(String token, Path file) {
        this.digest = sha256(token);
        this.file = file;
    }

    /** A token held in memory only (tests). */
    public static AdminToken of(String token) {
        return new AdminToken(token, null);
    }

    /** The file the token was read from or written to. */
    public Path file() {
        return file;
    }

    /**
     * Reads the token from {@code configured}, or creates one as described above.
     *
     * @throws TokenException with one line when no token can be read or written
     */
    public static AdminToken loadOrCreate(Path configured) {
        return loadOrCreate(configured, fallbackFile());
    }

    static AdminToken loadOrCreate(Path configured, Path fallback) {
        String token = read(configured);
        if (token != null) {
            return new AdminToken(token, configured);
        }
        Path parent = configured.toAbsolutePath().getParent();
        if (parent != null && Files.isDirectory(parent) && Files.isWritable(parent)) {
            String created = create(configured);
            if (created != null) {
                log.info("admin API token generated and written to {} (mode 0600)", configured);
                return new AdminToken(created, configured);
            }
            return new AdminToken(read(configured), configured);
        }
        try {
            Files.createDirectories(fallback.getParent(), PosixFilePermissions.asFileAttribute(DIR_MODE));
        } catch (IOException e) {
            throw new TokenException("admin token file " + configured + " does not exist and neither it nor "
                    + fallback + " can be written: " + e);
        }
        checkPrivate(fallback.getParent());
        String existing = read(fallback);
        if (existing != null) {
            log.info("admin token file {} does not exist and its directory is not writable; using the token in {}",
                    configured, fallback);
            return new AdminToken(existing, fallback);
        }
        String created = create(fallback);
        if (created == null) {
            created = read(fallback);
        }
        log.info("admin token file {} does not exist and its directory is not writable; token generated and "
                + "written to {} (mode 0600)", configured, fallback);
        return new AdminToken(created, fallback);
    }

    /**
     * Where a token goes when {@code admin.token-file} cannot be written: {@code $XDG_RUNTIME_DIR/vpnlb/admin.token},
     * else {@code /tmp/vpnlb-USER/admin.token}. The CLI looks there too.
     */
    public static Path fallbackFile() {
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isBlank() && Files.isDirectory(Path.of(runtime))
                && Files.isWritable(Path.of(runtime))) {
            return Path.of(runtime, "vpnlb", "admin.token");
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "vpnlb-" + System.getProperty("user.name"), "admin.token");
    }

    /** The token in {@code file}, or {@code null} when the file does not exist. */
    public static String read(Path file) {
        try {
            String token = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (token.isEmpty()) {
                throw new TokenException("admin token file " + file + " is empty");
            }
            return token;
        } catch (NoSuchFileException e) {
            return null;
        } catch (AccessDeniedException e) {
            throw new TokenException("admin token file " + file + " cannot be read: permission denied");
        } catch (IOException e) {
            throw new TokenException("admin token file " + file + " cannot be read: " + e.getMessage());
        }
    }

    /** Writes a new token to a file that must not exist yet; {@code null} when another process made it first. */
    private static String create(Path file) {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String token = HexFormat.of().formatHex(random);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE_MODE));
            Files.writeString(file, token + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
            return token;
        } catch (FileAlreadyExistsException e) {
            return null;
        } catch (IOException e) {
            throw new TokenException("cannot write the admin token file " + file + ": " + e);
        }
    }

    private static void checkPrivate(Path directory) {
        try {
            String owner = Files.getOwner(directory).getName();
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(directory);
            if (!owner.equals(System.getProperty("user.name")) || mode.contains(PosixFilePermission.GROUP_WRITE)
                    || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new TokenException("admin token directory " + directory + " is not private to "
                        + System.getProperty("user.name") + " (owner " + owner + ", mode "
                        + PosixFilePermissions.toString(mode) + ")");
            }
        } catch (IOException e) {
            throw new TokenException("cannot check the admin token directory " + directory + ": " + e);
        }
    }

    /** True when {@code presented} is the token; constant time in the token's content. */
    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(digest, sha256(presented));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** No token can be had; the message is one line for the operator. */
    public static final class TokenException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        public TokenException(String message) {
            super(message);
        }
    }
}
