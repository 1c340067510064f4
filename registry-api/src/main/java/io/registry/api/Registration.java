package io.registry.api;

import java.util.List;
import java.util.Map;

/**
 * The body of {@code PUT /v1/services/{service}/instances/{id}}: an instance without its name, id,
 * indices and times. Optional fields may be null; {@link Validation#instance} applies defaults.
 */
public record Registration(
        String address,
        Integer port,
        List<String> tags,
        Map<String, String> metadata,
        Integer weight,
        String zone,
        Check check,
        Status status) {
}
