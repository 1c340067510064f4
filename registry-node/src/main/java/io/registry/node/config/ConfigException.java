package io.registry.node.config;

/** A configuration the node cannot start with; the message says what to change. */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
