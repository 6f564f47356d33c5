package io.vpnlb.control.cli;

import io.vpnlb.config.cert.CertificateBundle;
import io.vpnlb.config.cert.CertificateException;
import io.vpnlb.config.cert.CertificateImporter;
import io.vpnlb.config.cert.CertificateProblem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * {@code vpnlb cert-hash FILE [--password-file F]}: the leaf certificate's SHA-1 and SHA-256, plain and in the
 * forms RRAS takes when vpnlb terminates TLS in front of it (SSTP offload): {@code Enable-SSTPOffload
 * -CertificateHash} and the {@code SHA256CertificateHash} / {@code SHA1CertificateHash} REG_BINARY values under
 * {@code HKLM\SYSTEM\CurrentControlSet\Services\SstpSvc\Parameters}.
 */
@Command(name = "cert-hash", mixinStandardHelpOptions = true,
        description = {"Prints SHA-1 and SHA-256 of the leaf certificate in FILE (.pem, .cer/.crt DER or Base-64, "
                + ".pfx/.p12) as plain hex and in the forms RRAS wants for SSTP TLS offload.",
                "Exit 0 shown; 1 the file is not a usable certificate (the message says why); 2 unreadable."})
final class CertHashCommand implements Callable<Integer> {

    static final String SSTP_PARAMETERS_KEY = "HKLM\\SYSTEM\\CurrentControlSet\\Services\\SstpSvc\\Parameters";

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "certificate file")
    Path file;

    @Option(names = "--password-file", paramLabel = "F", description = "file holding the .pfx or key password")
    Path passwordFile;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        CertificateBundle bundle;
        try {
            bundle = CertificateImporter.load(file, passwordFile, CertificateImporter.Options.inspect());
        } catch (CertificateException e) {
            spec.commandLine().getErr().println("vpnlb: " + e.getMessage());
            return e.problem() == CertificateProblem.UNREADABLE ? VpnlbCommand.EXIT_UNREADABLE
                    : VpnlbCommand.EXIT_INVALID;
        }
        print(out, bundle, Instant.now());
        return 0;
    }

    static void print(PrintWriter out, CertificateBundle bundle, Instant now) {
        byte[] sha1 = bundle.sha1();
        byte[] sha256 = bundle.sha256();
        out.printf("file:        %s (%s, chain of %d, %s)%n", bundle.source(), bundle.format().displayName(),
                bundle.chain().size(), bundle.hasKey() ? "private key present and matching" : "no private key");
        out.printf("subject:     %s%n", bundle.subject());
        out.printf("issuer:      %s%n", bundle.issuer());
        out.printf("SANs:        %s%n", bundle.subjectAlternativeNames().isEmpty() ? "(none)"
                : String.join(", ", bundle.subjectAlternativeNames()));
        long days = Duration.between(now, bundle.notAfter()).toDays();
        out.printf("valid:       %s .. %s (%s)%n", bundle.notBefore(), bundle.notAfter(),
                bundle.expiredAt(now) ? "EXPIRED " + (-days) + " day(s) ago"
                        : now.isBefore(bundle.notBefore()) ? "NOT YET VALID" : "expires in " + days + " day(s)");
        for (String warning : bundle.warnings()) {
            out.printf("note:        %s%n", warning);
        }
        out.printf("SHA-1:       %s%n", CertificateBundle.hex(sha1));
        out.printf("SHA-256:     %s%n", CertificateBundle.hex(sha256));
        out.printf("SHA-1   (colons): %s%n", CertificateBundle.colonHex(sha1));
        out.printf("SHA-256 (colons): %s%n", CertificateBundle.colonHex(sha256));
        out.println();
        out.println("RRAS behind vpnlb with tls.mode terminate (SSTP offload), PowerShell as administrator:");
        out.printf("  Enable-SSTPOffload -CertificateHash \"%s\" -UseHttp $true%n", CertificateBundle.upperHex(sha256));
        out.println("or the registry (REG_BINARY, 32 and 20 bytes), then restart the RemoteAccess service:");
        out.printf("  reg add \"%s\" /v SHA256CertificateHash /t REG_BINARY /d %s /f%n", SSTP_PARAMETERS_KEY,
                CertificateBundle.upperHex(sha256));
        out.printf("  reg add \"%s\" /v SHA1CertificateHash /t REG_BINARY /d %s /f%n", SSTP_PARAMETERS_KEY,
                CertificateBundle.upperHex(sha1));
        out.println("as a .reg file:");
        out.printf("  [%s]%n", SSTP_PARAMETERS_KEY.replace("HKLM", "HKEY_LOCAL_MACHINE"));
        out.printf("  \"SHA256CertificateHash\"=hex:%s%n", regHex(sha256));
        out.printf("  \"SHA1CertificateHash\"=hex:%s%n", regHex(sha1));
    }

    /** The {@code hex:aa,bb,...} form of a .reg file. */
    static String regHex(byte[] bytes) {
        return java.util.HexFormat.ofDelimiter(",").formatHex(bytes);
    }
}
