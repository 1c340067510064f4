package io.registry.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How the leader decides an instance's status. */
public enum CheckType {
    /** The instance renews a lease by heartbeat within {@code ttl}. */
    TTL,
    /** The leader GETs {@code url} every {@code interval}. */
    HTTP,
    /** The leader opens a TCP connection to address:port every {@code interval}. */
    TCP,
    /** No check: the instance stays as registered until deregistered. */
    NONE;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static CheckType fromWire(String s) {
        for (CheckType type : values()) {
            if (type.wire().equals(s)) {
                return type;
            }
        }
        throw new IllegalArgumentException("check type must be one of ttl, http, tcp, none (got '" + s + "')");
    }
}
