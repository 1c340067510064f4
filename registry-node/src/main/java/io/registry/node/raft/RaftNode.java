package io.registry.node.raft;

import io.registry.api.Responses;
import io.registry.node.config.NodeConfig;
import io.registry.node.config.Peer;
import io.registry.statemachine.ratis.RegistryStateMachine;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.ServerNotReadyException;
import org.apache.ratis.retry.ExceptionDependentRetry;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's Raft replica and its client: starts and stops the Ratis server, submits commands, runs
 * ReadIndex barriers, and answers questions about the group. Everything Ratis-specific in the node
 * lives here so that the HTTP layer sees plain futures and records.
 */
public final class RaftNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RaftNode.class);

    /** Fixed so that every node, and every restart, joins the same group. */
    public static final RaftGroupId GROUP_ID =
            RaftGroupId.valueOf(UUID.fromString("5e6a11e7-0000-4000-8000-00000000c1a5"));
    private static final long ADMIN_TIMEOUT_MILLIS = 10_000;
    /** Long enough for the retry budget of any request still in flight on a replaced client. */
    private static final long RETIRE_AFTER_SECONDS = 30;

    private final NodeConfig config;
    private final RegistryStateMachine stateMachine;
    private final RaftPeerId selfId;
    /** The leader's log appenders, for {@link #announceCommit()} and the {@link AppenderWatchdog}. */
    private final CommitPush.Appenders appenders = new CommitPush.Appenders();
    private final AppenderWatchdog watchdog = new AppenderWatchdog(appenders);
    /** The first ReadIndex since start (see {@link #caughtUp()}); null until one is asked for. */
    private volatile CompletableFuture<Void> catchingUp;
    private RaftServer server;
    private RaftProperties props;
    private RaftGroup group;
    /**
     * Writes from this node while it is a follower ({@link #writeRetryPolicy()}); replaced when this replica
     * sees a new leader ({@link #leaderChanged}) and after a write failed unrefused ({@link #renewClient}).
     */
    private volatile RaftClient client;
    /** Membership, leadership transfer and snapshots ({@link #adminRetryPolicy()}); replaced with a new leader. */
    private volatile RaftClient adminClient;
    private volatile long clientGeneration;
    /** Identifies requests this node hands its own server directly (retry cache key with the call id). */
    private final ClientId localClientId = ClientId.randomId();
    private final java.util.concurrent.atomic.AtomicLong localCallIds = new java.util.concurrent.atomic.AtomicLong();
    /** A leader cut off from its majority holds writes until it steps down; callers get a 503 by then. */
    private static final long LOCAL_WRITE_TIMEOUT_MILLIS = 10_000;
    private static final long READ_TIMEOUT_MILLIS = 5_000;
    private static final long READ_RETRY_MILLIS = 50;
    /** Concurrent linearizable reads share ReadIndex round trips (see {@link #readBarrier()}). */
    private final Object barriers = new Object();
    private boolean barrierInFlight;
    private CompletableFuture<Void> nextBarrier;
    private final java.util.concurrent.ExecutorService barrierCompleter =
            java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "read-barrier");
                t.setDaemon(true);
                return t;
            });
    private final java.util.concurrent.ScheduledExecutorService retired =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "raft-client-retirer");
                t.setDaemon(true);
                return t;
            });

    public RaftNode(NodeConfig config, RegistryStateMachine stateMachine) {
        this.config = config;
        this.stateMachine = stateMachine;
        this.selfId = RaftPeerId.valueOf(config.id());
    }

    public static RaftPeer toRaftPeer(Peer peer) {
        // The HTTP address travels in the peer's data-stream address: Ratis replicates it with the group
        // configuration (so members added at run time are known everywhere) and never dials it, because
        // the data-stream transport is disabled.
        return RaftPeer.newBuilder().setId(peer.id()).setAddress(peer.raftAddress())
                .setDataStreamAddress(peer.httpAddress()).build();
    }

    public void start() throws IOException {
        List<RaftPeer> peers = config.peers().stream().map(RaftNode::toRaftPeer).toList();
        group = RaftGroup.valueOf(GROUP_ID, peers);
        props = properties();
        server = RaftServer.newBuilder()
                .setServerId(selfId)
                .setGroup(config.join() ? RaftGroup.valueOf(GROUP_ID) : group)
                .setProperties(props)
                .setParameters(parameters())
                .setStateMachine(stateMachine)
                .setOption(RaftStorage.StartupOption.RECOVER)
                .build();
        server.start();
        watchdog.start();
        client = newClient(null, writeRetryPolicy());
        adminClient = newClient(null, adminRetryPolicy());
        LOG.info("Raft replica {} started on {} ({} peers, data in {})", config.id(), config.self().raftAddress(),
                peers.size(), config.dataDir().toAbsolutePath());
    }

    private RaftClient newClient(RaftPeerId leader, RetryPolicy retryPolicy) {
        ClientId id = ClientId.randomId();
        RaftClient.Builder builder = RaftClient.newBuilder()
                .setProperties(props)
                .setRaftGroup(group)
                .setClientId(id)
                .setClientRpc(new GrpcFactory(new Parameters()).newRaftClientRpc(id, props))
                .setRetryPolicy(retryPolicy);
        if (leader != null) {
            builder.setLeaderId(leader);
        }
        return builder.build();
    }

    /**
     * This replica learned of a new leader, usually well before the client would: a client still aimed at
     * a dead leader pays a request timeout per retry. New writes go straight to the new leader; the old
     * client keeps its in-flight requests until retired (each is resent only if refused unappended).
     */
    public synchronized void leaderChanged(String leaderId) {
        RaftClient current = client;
        if (current == null || leaderId == null || leaderId.equals(String.valueOf(current.getLeaderId()))) {
            return;
        }
        RaftPeerId leader = RaftPeerId.valueOf(leaderId);
        replaceWriteClient(leader);
        RaftClient currentAdmin = adminClient;
        adminClient = newClient(leader, adminRetryPolicy());
        retire(currentAdmin);
    }

    /** Callers hold this object's lock. A new generation gives the write batcher fresh in-flight permits. */
    private void replaceWriteClient(RaftPeerId leader) {
        RaftClient current = client;
        client = newClient(leader, writeRetryPolicy());
        clientGeneration++;
        retire(current);
    }

    /** Closed later, not now: requests still in flight on it keep their chance to complete. */
    private void retire(RaftClient old) {
        retired.schedule(() -> closeQuietly(old), RETIRE_AFTER_SECONDS, TimeUnit.SECONDS);
    }

    private static void closeQuietly(RaftClient c) {
        try {
            c.close();
        } catch (IOException | RuntimeException e) {
            LOG.debug("closing a retired Raft client: {}", e.toString());
        }
    }

    private Parameters parameters() {
        Parameters parameters = new Parameters();
        appenders.put(parameters);
        return parameters;
    }

    private RaftProperties properties() {
        RaftProperties props = new RaftProperties();
        GrpcConfigKeys.Server.setHost(props, config.bind());
        GrpcConfigKeys.Server.setPort(props, config.self().raftPort());
        RaftServerConfigKeys.setStorageDir(props, List.of(config.dataDir().toFile()));
        RaftServerConfigKeys.Rpc.setTimeoutMin(props, millis(config.electionTimeoutMin().toMillis()));
        RaftServerConfigKeys.Rpc.setTimeoutMax(props, millis(config.electionTimeoutMax().toMillis()));
        RaftServerConfigKeys.Rpc.setRequestTimeout(props, millis(3000));
        // A request to a dead or paused leader (whose address may black-hole) fails over after this, not after
        // the 3 s default. A slow commit that times out is retried with the same call id, so the retry
        // cache answers it instead of applying it twice.
        org.apache.ratis.client.RaftClientConfigKeys.Rpc.setRequestTimeout(props, millis(1000));
        RaftServerConfigKeys.Read.setOption(props, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(props, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(props, config.snapshotThreshold());
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(props, 2);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(props, true);
        RaftServerConfigKeys.Log.setSegmentSizeMax(props, SizeInBytes.valueOf("8MB"));
        // Two closed segments' entries stay in memory, not Ratis's six. Every cached entry outlives a few young
        // collections, is copied into the old generation and dies there, so six segments of 8 MB (under load about
        // 50 s of entries) made the nodes copy and mark that much more: register 14,203-16,567/s at
        // 77-92 µs of node CPU a write, 16,960-17,261/s at 73-74 µs with two (docs/BENCHMARKS.md, session 10).
        // Entries no longer cached, for a follower that is further behind, are read back from the segment files.
        RaftServerConfigKeys.Log.setSegmentCacheNumMax(props, 2);
        // Off: with "compose" on (the 3.3 default) a follower drops an append whose first index matches one
        // still being written, even when the new request carries more entries, yet answers success for all
        // of them. The leader then believes the follower holds entries it lacks; once writes stop, its
        // heartbeats bounce off INCONSISTENCY forever and the follower never catches up (chaos suite,
        // docs/RELIABILITY.md Findings 4). The plain append path truncates and skips by index and term.
        RaftServerConfigKeys.Log.setAppendEntriesComposeEnabled(props, false);
        // The leader retries an unreachable follower every 5 s by default once 30 attempts have failed, so a
        // follower back from a restart or a partition waited up to 5 s for its first append, running
        // elections meanwhile and answering 503 (chaos suite, scenario h). Half a second costs one failed
        // connect per dead peer per 500 ms.
        RaftServerConfigKeys.Log.Appender.setRetryPolicy(props, "1ms,10, 100ms,20, 500ms,100000000");
        // The appender sends as soon as there is something to send (the default waits up to 1 ms since its
        // last append). The write batcher already makes entries large, so the wait saved little; but it held
        // each entry, and with it the commit index that the next append tells the followers, on its way, so a
        // follower answered its forwarded writes ~1.7 ms after the leader had (docs/BENCHMARKS.md, session 7).
        RaftServerConfigKeys.Log.Appender.setWaitTimeMin(props, TimeDuration.ZERO);
        // No log metadata entries (the commit index written to the log): they doubled the entries, each a log
        // write and an fsync on every node. The commit reaches the followers in an empty append instead
        // (CommitPush, announceCommit). Without them a restarted node knows nothing committed beyond its
        // snapshot until a leader tells it, so default reads wait for a first ReadIndex (caughtUp()).
        RaftServerConfigKeys.Log.setLogMetadataEnabled(props, false);
        props.set(RaftConfigKeys.Rpc.TYPE_KEY, CommitPush.class.getName());
        // A JVM pause past this closes the server; the node then exits (see Main) rather than linger.
        RaftServerConfigKeys.setCloseThreshold(props, TimeDuration.valueOf(60, TimeUnit.SECONDS));
        // Raft's own gRPC transport: native epoll (shipped in ratis-thirdparty; NIO where it does not load)
        // and as few event loops as the HTTP facade. Netty's default of twice the cores, for the server and
        // again for the client side, meant thread switches that cost more than the I/O on two cores:
        // registrations 7,933-8,892/s at 170-185 µs of node CPU a write, 9,401/s at 150 µs with one loop
        // each and epoll (docs/BENCHMARKS.md).
        GrpcConfigKeys.setUseEpoll(props, true);
        GrpcConfigKeys.Server.setWorkerGroupSize(props, NodeConfig.eventLoopsByDefault());
        GrpcConfigKeys.Client.setWorkerGroupSize(props, NodeConfig.eventLoopsByDefault());
        return props;
    }

    private static TimeDuration millis(long ms) {
        return TimeDuration.valueOf(ms, TimeUnit.MILLISECONDS);
    }

    /**
     * Resends only what a server refused before appending it (not the leader, leader not ready yet), up to
     * 40 times 100 ms. A timeout or a broken connection is not resent: the first copy may still commit,
     * and Ratis's retry cache did not stop a resent registration from being applied a second time after a
     * partition healed (chaos scenario i; docs/RELIABILITY.md, Findings 5). The caller then gets 503 with
     * the outcome unknown, which is what the API promises. Bounded: Ratis's default retries forever.
     */
    private static RetryPolicy writeRetryPolicy() {
        RetryPolicy refusedBeforeAppend = adminRetryPolicy();
        return ExceptionDependentRetry.newBuilder()
                .setExceptionToPolicy(NotLeaderException.class, refusedBeforeAppend)
                .setExceptionToPolicy(LeaderNotReadyException.class, refusedBeforeAppend)
                .setExceptionToPolicy(ServerNotReadyException.class, refusedBeforeAppend)
                .setDefaultPolicy(RetryPolicies.noRetry())
                .setMaxAttempts(40)
                .build();
    }

    /** Membership, leadership transfer and snapshots are safe to repeat: bounded retries of any failure. */
    private static RetryPolicy adminRetryPolicy() {
        return RetryPolicies.retryUpToMaximumCountWithFixedSleep(40, millis(100));
    }

    public String id() {
        return config.id();
    }

    /** Changes whenever writes move to a new client; in-flight limits are counted per generation. */
    public long clientGeneration() {
        return clientGeneration;
    }

    /**
     * Sends an encoded command to the leader; completes with the leader's reply. On the leader itself the
     * request goes straight to the local server: no gRPC hop to itself, and none of the Ratis client's
     * timers, which stall for seconds after a leader dies while the client closes its dead channels.
     * A leader that loses its office answers NotLeader; the caller then gets a 503 and retries, never a
     * silent resend that could apply the command twice.
     */
    public CompletableFuture<RaftClientReply> submit(byte[] command) {
        Message message = Message.valueOf(ByteString.copyFrom(command));
        if (isLeaderReady()) {
            return local(message, RaftClientRequest.writeRequestType(), LOCAL_WRITE_TIMEOUT_MILLIS);
        }
        RaftClient used = client;
        return used.async().send(message).whenComplete((reply, error) -> {
            if (error != null) {
                renewClient(used);
            }
        });
    }

    /**
     * A write that failed without a refusal (a timeout, a broken connection) is not resent, so nothing
     * else would make the client dial again: its channel could sit in gRPC's reconnect backoff for ~15 s
     * after a partition healed (chaos scenario i). A fresh client dials at once.
     */
    private synchronized void renewClient(RaftClient failed) {
        if (client != failed) {
            return;   // replaced already
        }
        replaceWriteClient(leaderId().filter(l -> !l.equals(config.id())).map(RaftPeerId::valueOf).orElse(null));
    }

    /**
     * Tells the followers of a new commit at once ({@link CommitPush}); called on the apply path, where a
     * leader learns it. Does nothing on a follower, whose appenders (from a past term) have stopped.
     */
    public void announceCommit() {
        appenders.push();
    }

    /** New Raft connections this node, as leader, opened to followers that had fallen silent. */
    public long followerReconnects() {
        return watchdog.reconnects();
    }

    /** True once this replica has applied everything committed at some moment after it started. */
    public boolean isCaughtUp() {
        CompletableFuture<Void> attempt = catchingUp;
        return attempt != null && attempt.isDone() && !attempt.isCompletedExceptionally();
    }

    /**
     * Completes once {@link #isCaughtUp()}: at once after that, else after a ReadIndex (shared with the
     * linearizable reads). Until then a restarted replica may hold only its snapshot's older state: it
     * learns the commit index from the leader, not from its own log.
     */
    public CompletableFuture<Void> caughtUp() {
        CompletableFuture<Void> attempt = catchingUp;
        if (attempt != null && !attempt.isCompletedExceptionally()) {
            return attempt;
        }
        synchronized (barriers) {
            // One attempt at a time; a failed one (no leader yet) is replaced by the next caller.
            if (catchingUp == null || catchingUp.isCompletedExceptionally()) {
                catchingUp = readBarrier();
            }
            return catchingUp;
        }
    }

    /**
     * Completes once this replica has applied everything committed before the call (ReadIndex). Sent to the
     * local server, which asks the leader for its commit index when it is a follower.
     */
    public CompletableFuture<Void> readBarrier() {
        CompletableFuture<Void> mine;
        synchronized (barriers) {
            if (barrierInFlight) {
                // A ReadIndex already on its way may predate a write acknowledged before this read began:
                // wait for the next one, which every read arriving meanwhile shares.
                if (nextBarrier == null) {
                    nextBarrier = new CompletableFuture<>();
                }
                return nextBarrier;
            }
            barrierInFlight = true;
            mine = new CompletableFuture<>();
        }
        launch(mine);
        return mine;
    }

    private void launch(CompletableFuture<Void> target) {
        // Async: Ratis completes a ReadIndex while holding its own locks, and the next barrier (and the
        // waiting reads) must not run into Ratis from inside that callback.
        readBarrier(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READ_TIMEOUT_MILLIS)).whenCompleteAsync((ok, error) -> {
            CompletableFuture<Void> waiting;
            synchronized (barriers) {
                waiting = nextBarrier;
                nextBarrier = null;
                barrierInFlight = waiting != null;
            }
            if (waiting != null) {
                launch(waiting);
            }
            if (error != null) {
                target.completeExceptionally(error);
            } else {
                target.complete(null);
            }
        }, barrierCompleter);
    }

    /** Retried until the deadline, as the Ratis client did: a follower that just lost its leader, or a
     *  leader not yet ready, answers within milliseconds and would fail a read that can succeed soon. */
    private CompletableFuture<Void> readBarrier(long deadlineNanos) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        return local(Message.EMPTY, RaftClientRequest.readRequestType(), Math.max(1, left))
                .handle((reply, error) -> {
                    Throwable failure = error != null ? error
                            : reply.isSuccess() ? null : reply.getException();
                    if (failure == null) {
                        return CompletableFuture.<Void>completedFuture(null);
                    }
                    if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READ_RETRY_MILLIS) >= deadlineNanos) {
                        return CompletableFuture.<Void>failedFuture(new IllegalStateException(String.valueOf(failure)));
                    }
                    return CompletableFuture.runAsync(() -> { },
                                    CompletableFuture.delayedExecutor(READ_RETRY_MILLIS, TimeUnit.MILLISECONDS))
                            .thenCompose(ignored -> readBarrier(deadlineNanos));
                })
                .thenCompose(f -> f);
    }

    private CompletableFuture<RaftClientReply> local(Message message, RaftClientRequest.Type type, long timeoutMillis) {
        RaftClientRequest request = RaftClientRequest.newBuilder()
                .setClientId(localClientId)
                .setServerId(selfId)
                .setGroupId(GROUP_ID)
                .setCallId(localCallIds.incrementAndGet())
                .setMessage(message)
                .setType(type)
                .setTimeoutMs(timeoutMillis)
                .build();
        try {
            return server.submitClientRequestAsync(request).orTimeout(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    public Optional<RaftServer.Division> division() {
        try {
            return server == null ? Optional.empty() : Optional.of(server.getDivision(GROUP_ID));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public boolean isLeader() {
        return division().map(d -> d.getInfo().isLeader()).orElse(false);
    }

    public boolean isLeaderReady() {
        return division().map(d -> d.getInfo().isLeaderReady()).orElse(false);
    }

    public Optional<String> leaderId() {
        return division().map(d -> d.getInfo().getLeaderId()).map(RaftPeerId::toString);
    }

    public long commitIndex() {
        return division().map(d -> d.getRaftLog().getLastCommittedIndex()).orElse(0L);
    }

    /**
     * Milliseconds since this node last heard from a leader: 0 for a leader still in touch with a
     * majority, the leader's last RPC for a follower, and {@code Long.MAX_VALUE} with no leader.
     */
    public long lastLeaderContactMillis() {
        Optional<RaftServer.Division> d = division();
        if (d.isEmpty() || d.get().getInfo().getLeaderId() == null) {
            return Long.MAX_VALUE;
        }
        RoleInfoProto role = d.get().getInfo().getRoleInfoProto();
        if (role.hasFollowerInfo()) {
            return role.getFollowerInfo().getLeaderInfo().getLastRpcElapsedTimeMs();
        }
        if (role.hasLeaderInfo()) {
            List<Long> elapsed = new ArrayList<>();
            for (ServerRpcProto f : role.getLeaderInfo().getFollowerInfoList()) {
                elapsed.add(f.getLastRpcElapsedTimeMs());
            }
            elapsed.sort(Long::compare);
            int voters = elapsed.size() + 1;
            int needed = voters / 2; // followers besides itself that make a majority
            return needed == 0 ? 0 : elapsed.get(needed - 1);
        }
        return Long.MAX_VALUE;
    }

    /** The group as this node sees it, for {@code GET /v1/cluster}. */
    public Responses.Cluster cluster(long appliedIndex, boolean protection) {
        Optional<RaftServer.Division> d = division();
        if (d.isEmpty()) {
            return new Responses.Cluster(null, 0, 0, appliedIndex, protection, List.of());
        }
        RaftServer.Division div = d.get();
        String leader = Optional.ofNullable(div.getInfo().getLeaderId()).map(RaftPeerId::toString).orElse(null);
        Map<String, Long> contact = new HashMap<>();
        RoleInfoProto role = div.getInfo().getRoleInfoProto();
        if (role.hasLeaderInfo()) {
            role.getLeaderInfo().getFollowerInfoList().forEach(f ->
                    contact.put(f.getId().getId().toStringUtf8(), f.getLastRpcElapsedTimeMs()));
            contact.put(config.id(), 0L);
        } else if (role.hasFollowerInfo() && leader != null) {
            contact.put(leader, role.getFollowerInfo().getLeaderInfo().getLastRpcElapsedTimeMs());
        }
        Map<String, Long> commits = new HashMap<>();
        for (CommitInfoProto c : div.getCommitInfos()) {
            commits.put(c.getServer().getId().toStringUtf8(), c.getCommitIndex());
        }
        List<Responses.Member> members = new ArrayList<>();
        Collection<RaftPeer> peers = div.getRaftConf().getCurrentPeers();
        for (RaftPeer p : peers) {
            String id = p.getId().toString();
            String memberRole = id.equals(leader) ? "leader" : "follower";
            members.add(new Responses.Member(id, p.getAddress(), p.getDataStreamAddress(), memberRole,
                    contact.get(id), commits.get(id)));
        }
        members.sort((a, b) -> a.id().compareTo(b.id()));
        return new Responses.Cluster(leader, div.getInfo().getCurrentTerm(), div.getRaftLog().getLastCommittedIndex(),
                appliedIndex, protection, members);
    }

    /** The HTTP address of a member, from the replicated group configuration. */
    public Optional<String> httpAddressOf(String memberId) {
        return division().flatMap(d -> d.getRaftConf().getCurrentPeers().stream()
                .filter(p -> p.getId().toString().equals(memberId))
                .map(RaftPeer::getDataStreamAddress)
                .findFirst());
    }

    /**
     * Adds a voting member; null when it is a member already at the same addresses: a caller's retry of an
     * add whose answer it lost (the change is made, and asking again must not fail). The same id at other
     * addresses is refused.
     */
    public RaftClientReply addMember(Peer peer) throws IOException {
        List<RaftPeer> current = membersAsTheLeaderHasThem();
        RaftPeer wanted = toRaftPeer(peer);
        for (RaftPeer member : current) {
            if (member.getId().equals(wanted.getId())) {
                if (member.getAddress().equals(wanted.getAddress())
                        && Objects.equals(member.getDataStreamAddress(), wanted.getDataStreamAddress())) {
                    return null;
                }
                throw new IllegalArgumentException("member '" + peer.id() + "' is already in the cluster at raft "
                        + member.getAddress() + ", http " + member.getDataStreamAddress() + "; to move it, remove it "
                        + "first and add it again");
            }
        }
        List<RaftPeer> next = new ArrayList<>(current);
        next.add(wanted);
        return changeMembers(next);
    }

    public RaftClientReply removeMember(String memberId) throws IOException {
        List<RaftPeer> current = membersAsTheLeaderHasThem();
        List<RaftPeer> next = current.stream().filter(p -> !p.getId().toString().equals(memberId)).toList();
        if (next.size() == current.size()) {
            throw new IllegalArgumentException("no member '" + memberId + "' in the cluster");
        }
        return changeMembers(next);
    }

    /**
     * The membership after a ReadIndex round: a follower learns a new configuration only when its entry
     * reaches it, so right after a change it may still hold the old one. Changed from that old list, a
     * removal would have refused a member just added, or dropped it silently.
     */
    private List<RaftPeer> membersAsTheLeaderHasThem() throws IOException {
        try {
            readBarrier().get(ADMIN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("node " + selfId + " could not learn the current membership from a leader ("
                    + e + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while learning the current membership", e);
        }
        return currentPeers();
    }

    /**
     * Sets {@code next} as the whole membership. Not compare-and-set: Ratis's client resends a request whose
     * answer it missed, and while a new member catches up the first try can still commit. Compared with the
     * old membership, the resent copy then failed although the change had been made (chaos scenario g).
     */
    private RaftClientReply changeMembers(List<RaftPeer> next) throws IOException {
        RaftClientReply reply = adminClient.admin().setConfiguration(next);
        if (reply.isSuccess()) {
            try {
                membersAsTheLeaderHasThem();   // so that this node's answer lists the members as they now are
            } catch (IOException e) {
                // the change is made; a node that just removed itself may no longer get a ReadIndex answered
                LOG.info("membership changed; node {} could not catch up with it before answering: {}", selfId, e.getMessage());
            }
        }
        return reply;
    }

    public RaftClientReply transferLeader(String to) throws IOException {
        return adminClient.admin().transferLeadership(RaftPeerId.valueOf(to), ADMIN_TIMEOUT_MILLIS);
    }

    /** Takes a snapshot on this node now; returns its index. */
    public long snapshot() throws IOException {
        stateMachine.writeNextSnapshotInForeground();   // so that the answer carries its index
        RaftClientReply reply = adminClient.getSnapshotManagementApi(selfId).create(true, ADMIN_TIMEOUT_MILLIS);
        if (!reply.isSuccess()) {
            throw new IOException(String.valueOf(reply.getException()));
        }
        return reply.getLogIndex();
    }

    public List<RaftPeer> currentPeers() {
        return division().map(d -> List.copyOf(d.getRaftConf().getCurrentPeers())).orElse(List.of());
    }

    public static String describe(RaftClientReply reply) {
        return reply.getException() == null ? "ok" : reply.getException().getMessage();
    }

    @Override
    public void close() throws IOException {
        watchdog.close();
        retired.shutdownNow();
        barrierCompleter.shutdownNow();
        if (client != null) {
            client.close();
        }
        if (adminClient != null) {
            adminClient.close();
        }
        if (server != null) {
            server.close();
        }
    }

}
