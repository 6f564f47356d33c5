package io.vpnlb.config.io;

/**
 * A configuration that could not be read at all: the file is missing or unreadable, or its text is not YAML.
 * The message is one line that names the source and the reason, for example
 * {@code cannot read /etc/vpnlb/vpnlb.yaml: no such file} or
 * {@code vpnlb.yaml: not valid YAML at line 7, column 12: mapping values are not allowed here}; it is meant to be
 * printed as it is, without a stack trace. A configuration that is YAML but breaks rules is not an exception: it
 * is a {@link LoadResult} with violations.
 */
public final class ConfigReadException extends Exception {

    ConfigReadException(String message) {
        super(message);
    }
}
