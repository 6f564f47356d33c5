package io.vpnlb.config.cert;

import java.nio.file.Path;
import java.util.Locale;

/** The encodings vpnlb reads and writes. */
public enum CertificateFormat {
    /** Base-64 with {@code -----BEGIN ...-----} armour: certificates, PKCS#1/PKCS#8/encrypted keys. */
    PEM("PEM"),
    /** Binary X.509 (one certificate) or PKCS#7 (several). Also what .cer files usually hold. */
    DER("DER"),
    /** DER written as bare Base-64 without armour, as Windows' "Base-64 encoded X.509 (.CER)" sometimes is. */
    BASE64_DER("Base-64 DER"),
    /** PKCS#12 (.pfx, .p12): chain and key, protected by a password. */
    PKCS12("PKCS#12");

    private final String displayName;

    CertificateFormat(String displayName) {
        this.displayName = displayName;
    }

    public String displayName() {
        return displayName;
    }

    /**
     * The output format for a file name: {@code .pfx}/{@code .p12} PKCS#12, {@code .der}/{@code .cer} DER,
     * {@code .pem}/{@code .crt} PEM; {@code null} for another extension.
     */
    public static CertificateFormat forOutput(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".pfx") || name.endsWith(".p12")) {
            return PKCS12;
        }
        if (name.endsWith(".der") || name.endsWith(".cer")) {
            return DER;
        }
        if (name.endsWith(".pem") || name.endsWith(".crt")) {
            return PEM;
        }
        return null;
    }
}
