package io.registry.node.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.registry.api.ApiException;
import io.registry.api.CheckType;
import io.registry.api.Headers;
import io.registry.api.Instance;
import io.registry.api.Json;
import io.registry.api.Registration;
import io.registry.api.Responses;
import io.registry.api.Status;
import io.registry.api.Validation;
import io.registry.node.config.NodeConfig;
import io.registry.node.config.Peer;
import io.registry.node.raft.AppliedIndex;
import io.registry.node.raft.RaftNode;
import io.registry.node.raft.WriteBatcher;
import io.registry.api.Durations;
import io.registry.node.leader.LeaderDuties;
import io.registry.node.metrics.NodeMetrics;
import io.registry.node.pick.Balancer;
import io.registry.node.read.ChangeFeed;
import io.registry.node.read.InstanceFilter;
import io.registry.node.read.RegistryReader;
import io.registry.node.read.ServiceView;
import io.registry.statemachine.command.Command;
import io.registry.statemachine.command.Deregister;
import io.registry.statemachine.command.Register;
import io.registry.statemachine.core.Result;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import org.apache.ratis.protocol.RaftClientReply;

/** The v1 endpoints (DESIGN.md §6), independent of Netty: requests in, {@link Reply} futures out. */
public final class RegistryApi {
    private final NodeConfig config;
    private final RaftNode raft;
    private final RegistryReader reader;
    private final WriteBatcher writes;
    private final AppliedIndex applied;
    private final Executor admin;
    private final ChangeFeed changes;
    private final LeaderDuties duties;
    private final HeartbeatRelay relay;
    private final NodeMetrics metrics;
    private final Balancer balancer = new Balancer();
    private static final Duration MAX_WAIT = Duration.ofMinutes(5);
    /** How long a read waits for this replica to apply the writes this node has answered. */
    private static final Duration OWN_WRITES_WAIT = Duration.ofSeconds(1);

    public RegistryApi(NodeConfig config, RaftNode raft, RegistryReader reader, WriteBatcher writes,
                       AppliedIndex applied, Executor admin, ChangeFeed changes, LeaderDuties duties,
                       NodeMetrics metrics, LeaderLink link) {
        this.config = config;
        this.relay = new HeartbeatRelay(link, config.maxRequestBytes(), System::nanoTime);
        this.raft = raft;
        this.reader = reader;
        this.writes = writes;
        this.applied = applied;
        this.admin = admin;
        this.changes = changes;
        this.duties = duties;
        this.metrics = metrics;
    }

    // ---- writes -------------------------------------------------------------------------------------

    public CompletableFuture<Reply> register(String service, String id, byte[] body) {
        Registration registration = readBody(body, Registration.class);
        Instance instance = Validation.instance(service, id, registration);
        return write(new Register(instance)).thenApply(a -> a.result() instanceof Result.Stored s
                ? Reply.ok(new Responses.Registered(a.index(), s.instance())).header(Headers.INDEX, a.index())
                : rejected(a.result()));
    }

    public CompletableFuture<Reply> deregister(String service, String id) {
        Validation.serviceName(service);
        Validation.instanceId(id);
        return write(new Deregister(service, id)).thenApply(a -> a.result() instanceof Result.Removed
                ? Reply.ok(new Responses.Indexed(a.index())).header(Headers.INDEX, a.index())
                : rejected(a.result()));
    }

    /** Renews a TTL lease: served by the leader, forwarded there by any other node. */
    public CompletableFuture<Reply> heartbeat(String service, String id, boolean forwarded) {
        Validation.serviceName(service);
        Validation.instanceId(id);
        if (duties.running()) {
            metrics.heartbeat(NodeMetrics.Beat.LEADER);
            return CompletableFuture.completedFuture(Reply.ok(duties.heartbeat(service, id)));
        }
        if (forwarded) {
            throw ApiException.unavailable("not_leader", "this node is not the ready leader (leadership is "
                    + "changing); retry shortly");
        }
        String leader = raft.leaderId().orElseThrow(() -> ApiException.unavailable("no_leader",
                "no leader is known right now; retry shortly"));
        if (leader.equals(config.id())) {
            throw ApiException.unavailable("not_leader", "this node was just elected and is not ready yet; retry shortly");
        }
        String address = raft.httpAddressOf(leader).orElseThrow(() -> ApiException.unavailable("no_leader",
                "the leader " + leader + " has no known HTTP address; retry shortly"));
        // Answering ahead trusts the local copy of the instance, which a replica that has just restarted
        // may hold only as its snapshot had it.
        if (raft.isCaughtUp() && relay.mayAnswerAhead(address, service, id)) {
            Instance local = reader.instance(service, id).orElse(null);
            // Only a beat whose answer the leader would give too: a critical instance is revived by the
            // leader, and an unknown or non-TTL one gets the leader's own error.
            if (local != null && local.check().type() == CheckType.TTL && local.status() != Status.CRITICAL) {
                relay.renewAhead(address, service, id);
                metrics.heartbeat(NodeMetrics.Beat.AHEAD);
                return CompletableFuture.completedFuture(Reply.ok(
                        new Responses.Heartbeat(service, id, local.status(), local.modifyIndex())));
            }
        }
        metrics.heartbeat(NodeMetrics.Beat.RELAYED);
        return relay.relay(address, service, id);
    }

    /**
     * {@code POST /v1/internal/writes}: a follower's write batch ({@link WriteForwarder}), applied here in one
     * entry with whatever else is waiting, and answered once this leader has applied it. Refused with 503
     * {@code not_leader} before anything is appended when this node is not the ready leader.
     */
    public CompletableFuture<Reply> forwardedWrites(byte[] body) {
        if (!raft.isLeaderReady()) {
            throw ApiException.unavailable(WriteForwarder.REFUSED, "this node is not the ready leader; send the "
                    + "batch to the current leader");
        }
        io.registry.statemachine.command.Command command;
        try {
            command = io.registry.statemachine.codec.EntryCodec.decodeCommand(body);
        } catch (RuntimeException e) {
            throw ApiException.badRequest("invalid_batch", "the body is not an encoded write batch ("
                    + e.getMessage() + "); this endpoint is for the nodes' own use");
        }
        return writes.submit(command).thenApply(WriteForwarder::answer);
    }

    /** {@code POST /v1/internal/heartbeats}: heartbeats a follower relayed here, answered one by one. */
    public CompletableFuture<Reply> relayedHeartbeats(byte[] body) {
        HeartbeatRelay.Beat[] beats = relayedBeats(body);
        List<HeartbeatRelay.Outcome> outcomes = new ArrayList<>(beats.length);
        for (HeartbeatRelay.Beat beat : beats) {
            Object answer;
            int status = 200;
            try {
                answer = renew(beat);
            } catch (ApiException e) {
                status = e.httpStatus();
                answer = e.body();
            }
            outcomes.add(new HeartbeatRelay.Outcome(status, json(answer)));
        }
        return CompletableFuture.completedFuture(Reply.json(HeartbeatRelay.encode(outcomes)));
    }

    /**
     * {@code POST /v1/internal/renewals}: heartbeats a follower has already answered itself
     * ({@link HeartbeatRelay#renewAhead}); the answer lists only the positions of those refused here.
     */
    public CompletableFuture<Reply> renewals(byte[] body) {
        HeartbeatRelay.Beat[] beats = relayedBeats(body);
        List<Integer> refused = new ArrayList<>();
        for (int i = 0; i < beats.length; i++) {
            try {
                renew(beats[i]);
            } catch (ApiException e) {
                refused.add(i);
            }
        }
        return CompletableFuture.completedFuture(Reply.ok(refused));
    }

    private HeartbeatRelay.Beat[] relayedBeats(byte[] body) {
        if (!duties.running()) {
            throw ApiException.unavailable("not_leader", "this node is not the ready leader (leadership is "
                    + "changing); retry shortly");
        }
        return readBody(body, HeartbeatRelay.Beat[].class);
    }

    private Responses.Heartbeat renew(HeartbeatRelay.Beat beat) {
        Validation.serviceName(beat.service());
        Validation.instanceId(beat.id());
        return duties.heartbeat(beat.service(), beat.id());
    }

    private CompletableFuture<WriteBatcher.Applied> write(Command command) {
        return writes.submit(command);
    }

    private static Reply rejected(Result result) {
        if (result instanceof Result.Rejected r) {
            int status = r.code().equals("not_found") ? 404 : r.code().equals("internal") ? 500 : 400;
            return Reply.error(status, r.code(), r.message());
        }
        return Reply.error(409, "conflict", "the change was not applied: " + result);
    }

    // ---- reads --------------------------------------------------------------------------------------

    public CompletableFuture<Reply> instances(String service, Map<String, List<String>> query, long minIndex) {
        Validation.serviceName(service);
        InstanceFilter filter = filter(query);
        Long index = indexParam(query);
        Duration wait = waitParam(query);
        return consistent(query, minIndex)
                .thenCompose(ignored -> blockUntilAfter(service, index, wait, () -> reader.service(service).index()))
                .thenApply(ignored -> {
                    ServiceView view = reader.service(service);
                    return readHeaders(Reply.json(view.encoded(filter)), view.index());
                });
    }

    public CompletableFuture<Reply> services(Map<String, List<String>> query, long minIndex) {
        Long index = indexParam(query);
        Duration wait = waitParam(query);
        return consistent(query, minIndex)
                .thenCompose(ignored -> blockUntilAfter(ChangeFeed.ANY, index, wait, reader::registryIndex))
                .thenApply(ignored -> {
                    Responses.Services services = reader.services();
                    return readHeaders(Reply.ok(services), services.index());
                });
    }

    public CompletableFuture<Reply> pick(String service, Map<String, List<String>> query, long minIndex) {
        Validation.serviceName(service);
        String strategy = first(query, "strategy", "round-robin");
        InstanceFilter asked = filter(query);
        InstanceFilter filter = new InstanceFilter(true, asked.passing(), asked.tags(), asked.zone(), asked.metadata());
        return consistent(query, minIndex).thenApply(ignored -> {
            ServiceView view = reader.service(service);
            List<Instance> candidates = filter.apply(view.instances());
            if (candidates.isEmpty()) {
                throw ApiException.unavailable("no_healthy_instance", "service '" + service + "' has no healthy "
                        + "instance" + (filter.tags().isEmpty() && filter.zone() == null ? "" : " matching the filters")
                        + " right now; list them with GET /v1/services/" + service + "/instances");
            }
            Instance chosen = balancer.choose(service, strategy, candidates);
            return readHeaders(Reply.ok(new Responses.Picked(view.index(), chosen)), view.index());
        });
    }

    /**
     * A blocking query: completes at once without {@code index}, or once the watched index exceeds it,
     * or after {@code wait} (the caller then answers with the unchanged index).
     */
    private CompletableFuture<Void> blockUntilAfter(String key, Long index, Duration wait, LongSupplier current) {
        if (index == null) {
            return CompletableFuture.completedFuture(null);
        }
        return waitUntil(key, index, System.nanoTime() + wait.toNanos(), current);
    }

    private CompletableFuture<Void> waitUntil(String key, long index, long deadlineNanos, LongSupplier current) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            return CompletableFuture.completedFuture(null);
        }
        // Subscribe before reading the index, so a change in between is never missed.
        CompletableFuture<Boolean> next = changes.next(key, Duration.ofNanos(left));
        if (current.getAsLong() > index) {
            next.complete(true);
            return CompletableFuture.completedFuture(null);
        }
        return next.thenCompose(changed -> changed && current.getAsLong() <= index
                ? waitUntil(key, index, deadlineNanos, current)
                : CompletableFuture.completedFuture(null));
    }

    private static Long indexParam(Map<String, List<String>> query) {
        String value = first(query, "index", null);
        if (value == null) {
            return null;
        }
        try {
            long index = Long.parseLong(value);
            if (index >= 0) {
                return index;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiException.badRequest("invalid_parameter", "index must be a whole number ≥ 0, the X-Registry-Index "
                + "of an earlier answer (got '" + value + "')");
    }

    /** The blocking wait: default and maximum 5 minutes, plus up to 1/16 of jitter to spread wake-ups. */
    private static Duration waitParam(Map<String, List<String>> query) {
        String value = first(query, "wait", null);
        Duration wait = MAX_WAIT;
        if (value != null) {
            try {
                wait = Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("invalid_parameter", "wait: " + e.getMessage());
            }
            if (wait.compareTo(MAX_WAIT) > 0) {
                wait = MAX_WAIT;
            }
        }
        long jitter = wait.toMillis() / 16 == 0 ? 0 : ThreadLocalRandom.current().nextLong(wait.toMillis() / 16);
        return wait.plusMillis(jitter);
    }

    private Reply readHeaders(Reply reply, long index) {
        long contact = raft.lastLeaderContactMillis();
        reply.header(Headers.INDEX, index);
        return reply.header(Headers.LAST_CONTACT, contact == Long.MAX_VALUE ? -1 : contact);
    }

    /**
     * Completes when this node may answer at the asked consistency, or fails with 503. {@code minIndex} is
     * the client's {@code X-Registry-Min-Index} (0 without one); a linearizable read needs no such wait, as its
     * ReadIndex round covers every write committed before it.
     */
    private CompletableFuture<Void> consistent(Map<String, List<String>> query, long minIndex) {
        String mode = first(query, "consistency", "default");
        switch (mode) {
            case "stale":
                return ownWritesApplied(true, minIndex);
            case "default": {
                long contact = raft.lastLeaderContactMillis();
                if (contact > config.maxStale().toMillis()) {
                    throw ApiException.unavailable("stale", "node " + config.id() + " has not heard from a leader for "
                            + (contact == Long.MAX_VALUE ? "ever" : contact + " ms") + " (limit "
                            + config.maxStale().toMillis() + " ms); ask another node, or add consistency=stale "
                            + "to accept possibly old data");
                }
                return raft.caughtUp().exceptionally(e -> {
                    throw ApiException.unavailable("not_caught_up", "node " + config.id() + " has just started and "
                            + "has not yet learned from a leader what is committed (" + e.getMessage() + "); retry "
                            + "shortly, ask another node, or add consistency=stale to accept possibly old data");
                }).thenCompose(ignored -> ownWritesApplied(false, minIndex));
            }
            case "linearizable":
                return raft.readBarrier().exceptionally(e -> {
                    throw ApiException.unavailable("no_leader", "a linearizable read needs a leader and a majority, "
                            + "and none answered: " + e.getMessage() + "; retry shortly or use consistency=stale");
                });
            default:
                throw ApiException.badRequest("invalid_consistency", "consistency '" + mode
                        + "' is not known: use stale, default or linearizable");
        }
    }

    /** For a watch stream's first event: waits as a stale read does. */
    CompletableFuture<Void> ownWritesApplied(long minIndex) {
        return ownWritesApplied(true, minIndex);
    }

    /**
     * Read-your-writes: a write is answered once committed, which on a follower is about a millisecond before
     * it has applied the entry itself, so a read first waits for every write this node has answered, and for
     * the client's {@code minIndex}, the highest index it has seen from any node (AppliedIndex). If that takes
     * longer than {@link #OWN_WRITES_WAIT} (the node is cut off from the leader) a stale read answers anyway
     * and any other read gets 503.
     */
    private CompletableFuture<Void> ownWritesApplied(boolean stale, long minIndex) {
        CompletableFuture<Long> barrier = applied.awaitAtLeast(minIndex, OWN_WRITES_WAIT);
        if (barrier.isDone() && !barrier.isCompletedExceptionally()) {
            return CompletableFuture.completedFuture(null);
        }
        return barrier.handle((index, error) -> {
            if (error != null && !stale) {
                throw ApiException.unavailable("not_caught_up", "node " + config.id() + " has applied the log only up "
                        + "to index " + applied.current() + ", short of index " + Math.max(minIndex, applied.answered())
                        + (minIndex > applied.answered() ? " (the request's X-Registry-Min-Index)" : " (writes it acknowledged)")
                        + ", and did not get there within " + OWN_WRITES_WAIT.toMillis() + " ms (it may be cut off from "
                        + "the leader" + (minIndex > applied.answered() ? ", or the index came from another cluster" : "")
                        + "); retry shortly, ask another node, or add consistency=stale to accept possibly old data");
            }
            return null;
        });
    }

    /** The {@code X-Registry-Min-Index} request header: 0 when absent. */
    static long minIndex(String header) {
        if (header == null || header.isBlank()) {
            return 0;
        }
        try {
            long index = Long.parseLong(header.trim());
            if (index >= 0) {
                return index;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiException.badRequest("invalid_header", "X-Registry-Min-Index must be a whole number ≥ 0, the "
                + "highest X-Registry-Index this client has seen (got '" + header + "'); leave it out to read without it");
    }

    /** Who answered and who leads, on every answer: a client learns where to send its writes from any reply. */
    Reply identified(Reply reply) {
        reply.headers().putIfAbsent(Headers.NODE, config.id());
        try {
            raft.leaderId().ifPresent(leader -> reply.headers().putIfAbsent(Headers.LEADER, leader));
        } catch (RuntimeException e) {
            // a server shutting down may not say; the answer itself must still go out
        }
        return reply;
    }

    private static InstanceFilter filter(Map<String, List<String>> query) {
        boolean healthy = bool(query, "healthy");
        boolean passing = bool(query, "passing");
        List<String> tags = query.getOrDefault("tag", List.of());
        String zone = first(query, "zone", null);
        Map<String, String> meta = new LinkedHashMap<>();
        query.forEach((k, v) -> {
            if (k.startsWith("meta.") && k.length() > 5 && !v.isEmpty()) {
                meta.put(k.substring(5), v.get(0));
            }
        });
        return new InstanceFilter(healthy, passing, tags, zone, meta);
    }

    private static boolean bool(Map<String, List<String>> query, String name) {
        String value = first(query, name, "false");
        if (value.isEmpty() || value.equals("true") || value.equals("1")) {
            return true;
        }
        if (value.equals("false") || value.equals("0")) {
            return false;
        }
        throw ApiException.badRequest("invalid_parameter", "parameter '" + name + "' must be true or false");
    }

    static String first(Map<String, List<String>> query, String name, String fallback) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? fallback : values.get(0);
    }

    // ---- cluster ------------------------------------------------------------------------------------

    public RegistryReader reader() {
        return reader;
    }

    public ChangeFeed changes() {
        return changes;
    }

    public static InstanceFilter filterOf(Map<String, List<String>> query) {
        return filter(query);
    }

    private static byte[] json(Object value) {
        try {
            return Json.strict().writeValueAsBytes(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("could not encode " + value.getClass().getSimpleName(), e);
        }
    }

    public Reply metrics() {
        return Reply.text(metrics.scrape(), "text/plain; version=0.0.4; charset=utf-8");
    }

    void responded(int status) {
        metrics.response(status);
    }

    public Reply cluster() {
        return Reply.ok(raft.cluster(applied.current(), duties.protecting()))
                .header(Headers.INDEX, applied.current());
    }

    public Reply health() {
        boolean leaderKnown = raft.leaderId().isPresent();
        long lag = Math.max(0, raft.commitIndex() - applied.current());
        boolean caughtUp = raft.isCaughtUp();
        if (!caughtUp && leaderKnown) {
            raft.caughtUp();   // starts a first ReadIndex if none is under way; a later probe sees it done
        }
        boolean ready = leaderKnown && caughtUp && lag < 1000;
        String leader = raft.leaderId().orElse(null);
        Responses.Health health = new Responses.Health(config.id(), ready ? "ready" : "not_ready", ready, leader,
                applied.current());
        return new Reply(ready ? 200 : 503, health, new LinkedHashMap<>());
    }

    public CompletableFuture<Reply> addMember(byte[] body) {
        Responses.AddMember request = readBody(body, Responses.AddMember.class);
        if (request.id() == null || request.raftAddress() == null || request.httpAddress() == null) {
            throw ApiException.badRequest("missing_field", "adding a member needs id, raftAddress and httpAddress, "
                    + "e.g. {\"id\":\"n4\",\"raftAddress\":\"10.0.0.4:7801\",\"httpAddress\":\"10.0.0.4:7701\"}");
        }
        Peer peer = peerOf(request);
        return adminCall(() -> raft.addMember(peer));
    }

    private static Peer peerOf(Responses.AddMember request) {
        String[] raftHostPort = request.raftAddress().split(":");
        String[] httpHostPort = request.httpAddress().split(":");
        try {
            if (raftHostPort.length != 2 || httpHostPort.length != 2 || !raftHostPort[0].equals(httpHostPort[0])) {
                throw new IllegalArgumentException();
            }
            return Peer.parse(request.id() + "=" + raftHostPort[0] + ":" + raftHostPort[1] + ":" + httpHostPort[1]);
        } catch (RuntimeException e) {
            throw ApiException.badRequest("invalid_member", "raftAddress and httpAddress must be HOST:PORT on the "
                    + "same host, e.g. \"10.0.0.4:7801\" and \"10.0.0.4:7701\"");
        }
    }

    public CompletableFuture<Reply> removeMember(String id) {
        return adminCall(() -> raft.removeMember(id));
    }

    public CompletableFuture<Reply> transferLeader(byte[] body) {
        Responses.TransferLeader request = readBody(body, Responses.TransferLeader.class);
        if (request.to() == null || request.to().isBlank()) {
            throw ApiException.badRequest("missing_field", "say which member should lead: {\"to\":\"n2\"}");
        }
        if (raft.currentPeers().stream().noneMatch(p -> p.getId().toString().equals(request.to()))) {
            throw ApiException.notFound("unknown_member", "no member '" + request.to() + "'; see GET /v1/cluster");
        }
        return adminCall(() -> raft.transferLeader(request.to()));
    }

    public CompletableFuture<Reply> snapshot() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return Reply.ok(new Responses.Snapshot(raft.snapshot()));
            } catch (Exception e) {
                throw ApiException.unavailable("snapshot_failed", "the snapshot could not be taken: " + e.getMessage());
            }
        }, admin);
    }

    private interface AdminCall {
        RaftClientReply run() throws Exception;
    }

    private CompletableFuture<Reply> adminCall(AdminCall call) {
        return CompletableFuture.supplyAsync(() -> {
            RaftClientReply reply;
            try {
                reply = call.run();
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("invalid_member", e.getMessage());
            } catch (Exception e) {
                throw ApiException.unavailable("reconfiguration_failed", "the cluster did not accept the change: "
                        + e.getMessage() + "; check `registry status` and retry");
            }
            if (reply == null) {
                return cluster();   // nothing to change: already so
            }
            if (!reply.isSuccess()) {
                throw new ApiException(409, "reconfiguration_failed", "the cluster refused the change: "
                        + RaftNode.describe(reply));
            }
            return raft.division().isPresent() ? cluster() : Reply.ok(new Responses.Indexed(reply.getLogIndex()));
        }, admin);
    }

    static <T> T readBody(byte[] body, Class<T> type) {
        if (body.length == 0) {
            throw ApiException.badRequest("missing_body", "the request needs a JSON body; see the README for examples");
        }
        try {
            T value = Json.strict().readValue(body, type);
            if (value == null) {
                throw ApiException.badRequest("missing_body", "the body is JSON null; send a JSON object");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw JsonErrors.describe(e);
        } catch (java.io.IOException e) {
            throw ApiException.badRequest("invalid_json", "the body could not be read: " + e.getMessage());
        }
    }

    static List<String> segments(String path) {
        List<String> parts = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                parts.add(s);
            }
        }
        return parts;
    }
}
