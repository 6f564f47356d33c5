package io.vpnlb.config.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.vpnlb.config.LbConfig;
import io.vpnlb.config.Violation;
import io.vpnlb.config.validate.ConfigValidator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads a YAML configuration into an {@link LbConfig} and reports everything wrong with it at once: structural
 * problems found while mapping (unknown keys with a "did you mean", wrong types, unreadable values) and then
 * every rule of {@link ConfigValidator}, merged into one list in document order.
 *
 * <p>Keys are those of design.md section 4; missing keys take the records' {@code DEFAULT_*} values. A file
 * that cannot be read, or whose text is not YAML (including a key repeated in one mapping, which YAML forbids),
 * is a {@link ConfigReadException}. A document that is empty, holds only comments, or whose root is not a mapping
 * is a violation at the path {@value #DOCUMENT} with a {@code null} config, so that {@code vpnlb check} reports
 * it like any other problem. A second document in the same file ({@code ---}) is a violation too, and so is
 * every YAML alias ({@code *name}): Jackson would read it as the text {@code name}.
 */
public final class ConfigLoader {

    /** The path of violations about the document as a whole. */
    public static final String DOCUMENT = "(document)";

    private static final String DEFAULT_RESOURCE = "/io/vpnlb/config/default.yaml";
    private static final String DEFAULT_SOURCE = "classpath:io/vpnlb/config/default.yaml";
    private static final char BYTE_ORDER_MARK = '\uFEFF';

    /** Duplicate keys are errors; a bare {@code key:} is null (missing), while a quoted {@code ''} stays empty. */
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
            .build());

    private ConfigLoader() {
    }

    /**
     * Reads, maps and validates a configuration file (UTF-8, with or without a byte order mark).
     *
     * @throws ConfigReadException when the file is missing, unreadable, not UTF-8 or not YAML
     */
    public static LoadResult load(Path file) throws ConfigReadException {
        return parse(read(file), file.toString());
    }

    /**
     * Maps and validates configuration text.
     *
     * @param sourceName names the text in error messages, usually its file name
     * @throws ConfigReadException when the text is not YAML
     */
    public static LoadResult parse(String yaml, String sourceName) throws ConfigReadException {
        String text = !yaml.isEmpty() && yaml.charAt(0) == BYTE_ORDER_MARK ? yaml.substring(1) : yaml;
        JsonNode root;
        boolean moreDocuments;
        List<Violation> aliases;
        try (JsonParser scan = YAML.createParser(text); JsonParser parser = YAML.createParser(text)) {
            aliases = aliases(scan);
            root = YAML.readTree(parser);
            moreDocuments = root != null && parser.nextToken() != null;
        } catch (JsonProcessingException e) {
            throw notYaml(sourceName, e);
        } catch (IOException e) {
            throw new ConfigReadException("cannot read " + sourceName + ": " + e.getMessage());
        }
        String rootRule = "a mapping with the keys " + String.join(", ", TreeMapper.ROOT_KEYS);
        if (root == null || root.isMissingNode()) {
            return new LoadResult(null, List.of(new Violation(DOCUMENT, "empty", rootRule)));
        }
        if (!root.isObject()) {
            return new LoadResult(null, List.of(new Violation(DOCUMENT, TreeMapper.describe(root), rootRule)));
        }
        TreeMapper mapper = new TreeMapper();
        LbConfig config = mapper.map(root);
        List<Violation> violations = new ArrayList<>(mapper.violations());
        for (Violation violation : ConfigValidator.validate(config)) {
            if (!mapper.replaced(violation.path())) {
                violations.add(violation);
            }
        }
        // Stable: at one position the mapper's findings stay before the validator's, each in its own order.
        violations.sort(Comparator.comparingInt(violation -> mapper.position(violation.path())));
        if (moreDocuments) {
            violations.add(new Violation(DOCUMENT, "more than one YAML document",
                    "a single document; remove the second ---"));
        }
        violations.addAll(aliases);
        return new LoadResult(config, violations);
    }

    /**
     * Scans every document of the text (so that a syntax error anywhere is found) for aliases: Jackson's tree holds
     * an alias ({@code *name}) as the text {@code name}, which would silently become a wrong value.
     */
    private static List<Violation> aliases(JsonParser parser) throws IOException {
        List<Violation> aliases = new ArrayList<>();
        while (parser.nextToken() != null) {
            if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
                JsonLocation at = parser.currentTokenLocation();
                aliases.add(new Violation(DOCUMENT, "alias *" + parser.getText() + " at line " + at.getLineNr()
                        + ", column " + at.getColumnNr(), "values written out; YAML anchors and aliases are not "
                        + "supported"));
            }
        }
        return aliases;
    }

    /**
     * The embedded default configuration: what {@code vpnlb run} uses without {@code --config} (loopback,
     * unprivileged ports).
     *
     * @throws IllegalStateException if it is missing from the classpath or breaks a rule (a build defect)
     */
    public static LbConfig embeddedDefault() {
        LoadResult result;
        try {
            result = parse(embeddedDefaultText(), DEFAULT_SOURCE);
        } catch (ConfigReadException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        if (!result.valid()) {
            throw new IllegalStateException(DEFAULT_SOURCE + " is invalid: " + result.violations());
        }
        return result.config();
    }

    /** The YAML text of the embedded default configuration. */
    public static String embeddedDefaultText() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(DEFAULT_SOURCE + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + DEFAULT_SOURCE, e);
        }
    }

    private static String read(Path file) throws ConfigReadException {
        if (Files.isDirectory(file)) {
            throw new ConfigReadException("cannot read " + file + ": it is a directory");
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigReadException("cannot read " + file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new ConfigReadException("cannot read " + file + ": permission denied");
        } catch (CharacterCodingException e) {
            throw new ConfigReadException("cannot read " + file + ": not UTF-8 text");
        } catch (FileSystemException e) {
            throw new ConfigReadException("cannot read " + file + ": "
                    + (e.getReason() != null ? e.getReason() : e.getClass().getSimpleName()));
        } catch (IOException e) {
            throw new ConfigReadException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** One line: the source, where the YAML broke, and the parser's reason (SnakeYAML's problem when known). */
    private static ConfigReadException notYaml(String sourceName, JsonProcessingException e) {
        String reason = String.valueOf(e.getOriginalMessage());
        int line = -1;
        int column = -1;
        if (e.getCause() instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
            reason = marked.getProblem()
                    + (marked.getContext() != null ? " (" + marked.getContext() + ")" : "");
            line = marked.getProblemMark().getLine() + 1;
            column = marked.getProblemMark().getColumn() + 1;
        } else {
            JsonLocation location = e.getLocation();
            if (location != null) {
                line = location.getLineNr();
                column = location.getColumnNr();
            }
        }
        String where = line > 0 ? " at line " + line + ", column " + column : "";
        return new ConfigReadException(sourceName + ": not valid YAML" + where + ": "
                + reason.strip().replaceAll("\\s*\\R\\s*", " "));
    }
}
