package io.registry.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Health of an instance. {@code healthy=true} queries accept passing and warning. */
public enum Status {
    PASSING, WARNING, CRITICAL;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Status fromWire(String s) {
        for (Status status : values()) {
            if (status.wire().equals(s)) {
                return status;
            }
        }
        throw new IllegalArgumentException("status must be one of passing, warning, critical (got '" + s + "')");
    }

    public boolean healthy() {
        return this != CRITICAL;
    }
}
