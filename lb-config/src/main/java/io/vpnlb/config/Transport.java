package io.vpnlb.config;

/** Which Netty transport carries the data plane. {@code auto} picks io_uring, then epoll, then NIO. */
public enum Transport implements ConfigNamed {
    AUTO("auto"),
    IO_URING("io_uring"),
    EPOLL("epoll"),
    NIO("nio");

    private final String configName;

    Transport(String configName) {
        this.configName = configName;
    }

    @Override
    public String configName() {
        return configName;
    }

    /** The constant for a configuration spelling, or {@code null} when there is none. */
    public static Transport fromConfigName(String name) {
        return ConfigNamed.byConfigName(values(), name);
    }
}
