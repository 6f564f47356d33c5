package io.vpnlb.control.reload;

import io.vpnlb.config.Violation;

import java.util.List;

/**
 * What a reload did.
 *
 * @param outcome    applied, unchanged, rejected, or unavailable (no configuration file to read)
 * @param violations every reason the file was rejected; empty unless rejected
 * @param changes    what changed, one line each; empty unless applied
 * @param version    the snapshot version in use after the reload
 */
public record ReloadResult(Outcome outcome, List<Violation> violations, List<String> changes, long version) {

    public enum Outcome {
        APPLIED, UNCHANGED, REJECTED, UNAVAILABLE;

        public String apiName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public ReloadResult {
        violations = List.copyOf(violations);
        changes = List.copyOf(changes);
    }
}
