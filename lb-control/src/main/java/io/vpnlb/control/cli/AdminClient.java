package io.vpnlb.control.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vpnlb.config.LbConfig;
import io.vpnlb.config.TlsConfig;
import io.vpnlb.config.cert.CertificateException;
import io.vpnlb.config.cert.CertificateImporter;
import io.vpnlb.config.validate.Addresses;
import io.vpnlb.control.api.AdminToken;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;

/**
 * The options and HTTP plumbing of the commands that talk to a running balancer's admin API: where it is
 * ({@code --url}, else {@code admin.listen} of {@code --config} or of the embedded default) and its token
 * ({@code --token-file}, else {@code admin.token-file}, else the fallback file a balancer writes when it cannot
 * write {@code admin.token-file}).
 */
final class AdminClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "configuration of the running balancer, for admin.listen and admin.token-file "
                    + "(default: the embedded default configuration)")
    Path config;

    @Option(names = "--url", paramLabel = "URL", description = "admin API base URL, e.g. http://127.0.0.1:9090")
    String url;

    @Option(names = "--token-file", paramLabel = "FILE", description = "file holding the admin API token")
    Path tokenFile;

    @Option(names = "--admin-cert", paramLabel = "FILE",
            description = "for an https admin API: the certificate it presents, trusted exactly (default: "
                    + "admin.tls.certificate of the configuration; without either, the system CAs)")
    Path adminCert;

    /** The API answered; {@code json} is its body, parsed. */
    record Answer(int status, JsonNode json) {
        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    /** Cannot talk to the API; the message is one line. */
    static final class Unreachable extends Exception {

        private static final long serialVersionUID = 1L;

        Unreachable(String message) {
            super(message);
        }
    }

    Answer call(String method, String path, String body, PrintWriter err) throws Unreachable {
        LbConfig loaded = null;
        if (url == null || tokenFile == null || (adminCert == null && url.startsWith("https:"))) {
            try {
                loaded = ConfigFiles.loadOrFail(config, err);
            } catch (ConfigFiles.Failed e) {
                throw new Unreachable("cannot read the configuration for admin.listen and admin.token-file");
            }
        }
        boolean https = url != null ? url.startsWith("https:") : loaded.admin().tls() != null;
        String base = url != null ? stripSlash(url) : baseUrl(loaded.admin().listen(), https);
        String token = token(loaded);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (https) {
            X509Certificate pinned = pinnedCertificate(loaded);
            if (pinned != null) {
                builder.sslContext(PinnedCertificateTrust.context(pinned));
            }
        }
        HttpClient client = builder.build();
        HttpResponse<String> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (ConnectException e) {
            throw new Unreachable("cannot reach the admin API at " + base + ": connection refused (is vpnlb "
                    + "running? see admin.listen, or pass --url)");
        } catch (IOException e) {
            throw new Unreachable("cannot reach the admin API at " + base + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("interrupted");
        }
        try {
            return new Answer(response.statusCode(), JSON.readTree(response.body()));
        } catch (IOException e) {
            throw new Unreachable("the admin API at " + base + " answered " + response.statusCode()
                    + " with a body that is not JSON");
        }
    }

    /** The certificate to trust exactly: {@code --admin-cert}, else {@code admin.tls.certificate}, else none. */
    private X509Certificate pinnedCertificate(LbConfig loaded) throws Unreachable {
        Path file = adminCert;
        Path passwordFile = null;
        if (file == null && loaded != null && loaded.admin().tls() != null) {
            TlsConfig tls = loaded.admin().tls();
            file = Path.of(tls.certificate());
            passwordFile = tls.passwordFile() == null ? null : Path.of(tls.passwordFile());
        }
        if (file == null) {
            return null;
        }
        try {
            return CertificateImporter.load(file, passwordFile, CertificateImporter.Options.inspect()).leaf();
        } catch (CertificateException e) {
            throw new Unreachable("cannot read the admin certificate: " + e.getMessage());
        }
    }

    private String token(LbConfig loaded) throws Unreachable {
        try {
            if (tokenFile != null) {
                String token = AdminToken.read(tokenFile);
                if (token == null) {
                    throw new Unreachable("token file " + tokenFile + " does not exist");
                }
                return token;
            }
            Path configured = Path.of(loaded.admin().tokenFile());
            String token = AdminToken.read(configured);
            if (token != null) {
                return token;
            }
            Path fallback = AdminToken.fallbackFile();
            token = Files.exists(fallback) ? AdminToken.read(fallback) : null;
            if (token != null) {
                return token;
            }
            throw new Unreachable("no admin token: neither " + configured + " nor " + fallback
                    + " exists (pass --token-file; vpnlb run logs where it wrote the token)");
        } catch (AdminToken.TokenException e) {
            throw new Unreachable(e.getMessage());
        }
    }

    static String baseUrl(String listen, boolean https) {
        String scheme = https ? "https://" : "http://";
        InetSocketAddress address = Addresses.parseHostPort(listen);
        if (address == null) {
            return scheme + listen;
        }
        InetAddress host = address.getAddress();
        String text;
        if (host.isAnyLocalAddress()) {
            text = host.getAddress().length == 4 ? "127.0.0.1" : "[::1]";
        } else {
            text = host.getHostAddress();
            if (text.indexOf(':') >= 0) {
                text = "[" + text + "]";
            }
        }
        return scheme + text + ":" + address.getPort();
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** Prints an error answer: its message and every violation. */
    static void printError(PrintWriter err, String what, Answer answer) {
        err.println("vpnlb: " + what + ": " + answer.status() + " " + answer.json().path("error").asText());
        for (JsonNode violation : answer.json().path("violations")) {
            err.println("  " + violation.path("message").asText());
        }
        err.flush();
    }
}
