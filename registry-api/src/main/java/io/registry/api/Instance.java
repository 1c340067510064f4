package io.registry.api;

import java.util.List;
import java.util.Map;

/**
 * A registered instance as stored and served. Indices are the Raft log indices that created and last
 * modified it; times are epoch milliseconds stamped by the leader.
 */
public record Instance(
        String service,
        String id,
        String address,
        int port,
        List<String> tags,
        Map<String, String> metadata,
        int weight,
        String zone,
        Check check,
        Status status,
        long createIndex,
        long modifyIndex,
        long registeredAt,
        long lastStatusChange) {

    public Instance {
        tags = List.copyOf(tags);
        metadata = Map.copyOf(metadata);
    }

    public Instance withStatus(Status newStatus, long index, long now) {
        return new Instance(service, id, address, port, tags, metadata, weight, zone, check, newStatus,
                createIndex, index, registeredAt, now);
    }

    public Instance withIndices(long create, long modify, long registered, long statusChanged) {
        return new Instance(service, id, address, port, tags, metadata, weight, zone, check, status,
                create, modify, registered, statusChanged);
    }
}
