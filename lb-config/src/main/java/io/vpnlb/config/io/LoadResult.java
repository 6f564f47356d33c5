package io.vpnlb.config.io;

import io.vpnlb.config.LbConfig;
import io.vpnlb.config.Violation;
import java.util.List;

/**
 * What {@link ConfigLoader} made of a configuration document.
 *
 * @param config     the configuration, with defaults filled in and a neutral stand-in wherever a value was
 *                   unusable; {@code null} only when the document is not a mapping at all (for example empty).
 *                   Use it only when {@link #valid()}
 * @param violations every structural and semantic violation, in document order where it can be told
 */
public record LoadResult(LbConfig config, List<Violation> violations) {

    public LoadResult {
        violations = List.copyOf(violations);
    }

    /** True when the configuration can be applied: it was mapped and breaks no rule. */
    public boolean valid() {
        return config != null && violations.isEmpty();
    }
}
