package io.registry.api;

import java.util.List;

/** Response bodies of the v1 HTTP API (DESIGN.md §6). Fields may be added, never renamed. */
public final class Responses {
    private Responses() {
    }

    public record Registered(long index, Instance instance) {
    }

    public record Indexed(long index) {
    }

    public record Instances(String service, long index, List<Instance> instances) {
    }

    public record ServiceSummary(String name, int instances, int passing) {
    }

    public record Services(long index, List<ServiceSummary> services) {
    }

    public record Picked(long index, Instance instance) {
    }

    public record Member(String id, String raftAddress, String httpAddress, String role, Long lastContactMs,
                         Long matchIndex) {
    }

    public record Cluster(String leader, long term, long commitIndex, long appliedIndex, boolean protection,
                          List<Member> members) {
    }

    public record Health(String node, String status, boolean ready, String leader, long appliedIndex) {
    }

    public record AddMember(String id, String raftAddress, String httpAddress) {
    }

    public record TransferLeader(String to) {
    }

    public record Snapshot(long index) {
    }

    /** A renewed TTL lease: the instance's status and the modifyIndex of the registration it belongs to. */
    public record Heartbeat(String service, String id, Status status, long modifyIndex) {
    }
}
