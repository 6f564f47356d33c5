package io.vpnlb.dataplane.testing;

import io.vpnlb.dataplane.tcp.TlsProcessSettings;
import org.junit.jupiter.api.extension.Extension;

/**
 * Applies vpnlb's process-wide TLS settings before the first test, as vpnlb does when it starts: the JDK and Netty
 * read them once, and tests use TLS in many orders. Registered by JUnit's extension auto-detection.
 */
public final class TlsProcessSettingsExtension implements Extension {

    static {
        TlsProcessSettings.allowNullEncryption();
        TlsProcessSettings.resumeBySessionId();
    }
}
