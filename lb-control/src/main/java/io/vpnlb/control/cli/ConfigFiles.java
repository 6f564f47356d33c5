package io.vpnlb.control.cli;

import io.vpnlb.config.LbConfig;
import io.vpnlb.config.Violation;
import io.vpnlb.config.io.ConfigLoader;
import io.vpnlb.config.io.ConfigReadException;
import io.vpnlb.config.io.LoadResult;

import java.io.PrintWriter;
import java.nio.file.Path;

/** Loads a configuration for a command and reports problems the same way for every command. */
final class ConfigFiles {

    private ConfigFiles() {
    }

    /**
     * The configuration in {@code file}, or the embedded default when {@code file} is null. Prints every
     * violation, or the read error, to {@code err} and throws {@link Failed} with the exit code.
     */
    static LbConfig loadOrFail(Path file, PrintWriter err) {
        if (file == null) {
            return ConfigLoader.embeddedDefault();
        }
        LoadResult result;
        try {
            result = ConfigLoader.load(file);
        } catch (ConfigReadException e) {
            err.println("vpnlb: " + e.getMessage());
            err.flush();
            throw new Failed(VpnlbCommand.EXIT_UNREADABLE);
        }
        if (!result.valid()) {
            err.println(file + ": " + result.violations().size() + " violation(s):");
            for (Violation violation : result.violations()) {
                err.println("  " + violation);
            }
            err.flush();
            throw new Failed(VpnlbCommand.EXIT_INVALID);
        }
        return result.config();
    }

    /** The command ends with this exit code; the message was printed already. */
    static final class Failed extends RuntimeException {

        private static final long serialVersionUID = 1L;

        final int exitCode;

        Failed(int exitCode) {
            super(null, null, false, false);
            this.exitCode = exitCode;
        }
    }
}
