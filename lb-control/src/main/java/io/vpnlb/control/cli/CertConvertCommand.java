package io.vpnlb.control.cli;

import io.vpnlb.config.cert.CertificateBundle;
import io.vpnlb.config.cert.CertificateException;
import io.vpnlb.config.cert.CertificateFormat;
import io.vpnlb.config.cert.CertificateImporter;
import io.vpnlb.config.cert.CertificateProblem;
import io.vpnlb.config.cert.CertificateWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * {@code vpnlb cert-convert IN OUT}: reads any supported certificate file, checks chain and key, and writes it as
 * PEM (.pem/.crt), DER (.der/.cer, the leaf only) or PKCS#12 (.pfx/.p12), by OUT's extension.
 */
@Command(name = "cert-convert", mixinStandardHelpOptions = true,
        description = {"Converts a certificate file between PEM (.pem, .crt), DER (.der, .cer: leaf only) and "
                + "PKCS#12 (.pfx, .p12), chosen by OUT's extension. The chain is put in order and the key checked "
                + "against the leaf first.",
                "Exit 0 written; 1 the input is not usable or OUT cannot hold it (the message says why); 2 unreadable."})
final class CertConvertCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN", description = "certificate file to read")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "file to write: .pem, .crt, .der, .cer, .pfx or .p12")
    Path out;

    @Option(names = "--password-file", paramLabel = "F", description = "password of IN (.pfx or encrypted key)")
    Path passwordFile;

    @Option(names = "--out-password-file", paramLabel = "F",
            description = "password for OUT: required for .pfx (defaults to --password-file); encrypts the key in .pem")
    Path outPasswordFile;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        CertificateFormat format = CertificateFormat.forOutput(out);
        if (format == null) {
            err.println("vpnlb: " + out + ": unknown output extension (expected: .pem, .crt, .der, .cer, .pfx or .p12)");
            return VpnlbCommand.EXIT_INVALID;
        }
        char[] password = null;
        try {
            CertificateBundle bundle = CertificateImporter.load(in, passwordFile, CertificateImporter.Options.inspect());
            Path passwordSource = outPasswordFile != null ? outPasswordFile
                    : format == CertificateFormat.PKCS12 ? passwordFile : null;
            password = passwordSource == null ? null : CertificateImporter.readPassword(passwordSource);
            for (String warning : bundle.warnings()) {
                stdout.println("note: " + warning);
            }
            for (String note : CertificateWriter.write(bundle, out, format, password)) {
                stdout.println("note: " + note);
            }
            stdout.printf("%s -> %s (%s): %s, chain of %d, %s%n", in, out, format.displayName(), bundle.subject(),
                    format == CertificateFormat.DER ? 1 : bundle.chain().size(),
                    bundle.hasKey() && format != CertificateFormat.DER
                            ? "private key" + (password != null ? " (encrypted)" : "") : "no private key");
            return 0;
        } catch (CertificateException e) {
            err.println("vpnlb: " + e.getMessage());
            return e.problem() == CertificateProblem.UNREADABLE ? VpnlbCommand.EXIT_UNREADABLE
                    : VpnlbCommand.EXIT_INVALID;
        } finally {
            if (password != null) {
                Arrays.fill(password, '\0');
            }
        }
    }
}
