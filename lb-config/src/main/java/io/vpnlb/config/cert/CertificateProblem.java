package io.vpnlb.config.cert;

/** What is wrong with a certificate or key file. Each has one precise sentence in the exception message. */
public enum CertificateProblem {
    /** The file cannot be read (missing, permissions, a directory). */
    UNREADABLE,
    /** The file holds none of the supported encodings: PEM, DER (X.509 or PKCS#7), Base-64 DER, PKCS#12. */
    UNKNOWN_FORMAT,
    /** The file parses, but what it holds is not a certificate (a key only, a certificate request, a CRL). */
    NOT_A_CERTIFICATE,
    /** The key or PKCS#12 store is encrypted and no password file was given. */
    PASSWORD_REQUIRED,
    /** The password does not decrypt the key or PKCS#12 store. */
    WRONG_PASSWORD,
    /** The file has a certificate but no private key, and the key is needed (TLS termination, conversion). */
    NO_PRIVATE_KEY,
    /** More than one private key, or a PKCS#12 store with several key entries. */
    SEVERAL_KEYS,
    /** The private key does not belong to the leaf certificate. */
    KEY_MISMATCH,
    /** The leaf certificate's notAfter is in the past. */
    EXPIRED,
    /** The leaf certificate's notBefore is in the future. */
    NOT_YET_VALID,
    /** Output could not be written, or the requested output format cannot hold what it must. */
    OUTPUT
}
