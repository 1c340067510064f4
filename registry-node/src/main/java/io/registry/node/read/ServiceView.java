package io.registry.node.read;

import io.registry.api.Instance;
import io.registry.api.Json;
import io.registry.api.Responses;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An immutable picture of one service at {@code index}: what every read of it until the next change sees.
 * It also keeps the encoded answer per filter, so a service read a thousand times between two changes is
 * serialized once, not a thousand times (DESIGN.md §9).
 */
public final class ServiceView {
    /** Distinct filters whose answers are kept; others are encoded per read. */
    static final int MAX_ENCODED = 16;

    private final String service;
    private final long index;
    private final List<Instance> instances;
    private final Map<InstanceFilter, byte[]> encoded = new ConcurrentHashMap<>();

    public ServiceView(String service, long index, List<Instance> instances) {
        this.service = service;
        this.index = index;
        this.instances = instances;
    }

    public String service() {
        return service;
    }

    public long index() {
        return index;
    }

    public List<Instance> instances() {
        return instances;
    }

    /** The JSON body of {@code GET .../instances} with this filter, encoded at most once per view. */
    public byte[] encoded(InstanceFilter filter) {
        byte[] cached = encoded.get(filter);
        if (cached != null) {
            return cached;
        }
        byte[] json = encode(filter);
        if (encoded.size() < MAX_ENCODED) {
            encoded.putIfAbsent(filter, json);
        }
        return json;
    }

    private byte[] encode(InstanceFilter filter) {
        try {
            return Json.strict().writeValueAsBytes(new Responses.Instances(service, index, filter.apply(instances)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
