package io.vpnlb.config;

/** A configuration value with one spelling in the YAML file, such as {@code io_uring} or {@code least-sessions}. */
public interface ConfigNamed {

    /** The spelling used in the configuration file. */
    String configName();

    /** The constant of {@code values} spelled {@code name} in the configuration, or {@code null}. */
    static <E extends ConfigNamed> E byConfigName(E[] values, String name) {
        for (E value : values) {
            if (value.configName().equals(name)) {
                return value;
            }
        }
        return null;
    }
}
