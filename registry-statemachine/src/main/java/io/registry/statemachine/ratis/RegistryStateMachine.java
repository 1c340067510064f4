package io.registry.statemachine.ratis;

import io.registry.statemachine.codec.EntryCodec;
import io.registry.statemachine.codec.SnapshotCodec;
import io.registry.statemachine.command.Entry;
import io.registry.statemachine.core.RegistryState;
import io.registry.statemachine.core.Result;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only Ratis-aware class of the state machine module: it decodes log entries, applies them to the
 * pure {@link RegistryState} under a lock, writes and loads snapshots, and tells the node what happened.
 */
public final class RegistryStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryStateMachine.class);

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private volatile SingleFileSnapshotInfo latestSnapshot;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final LongSupplier clockMillis;
    private volatile StateMachineListener listener = new StateMachineListener() { };
    private RegistryState state = new RegistryState();

    /** @param clockMillis the leader's clock, read only in {@link #startTransaction} to stamp entries */
    public RegistryStateMachine(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    public void setListener(StateMachineListener listener) {
        this.listener = listener;
    }

    /** Run a read against the current state; the function must not keep references past its return. */
    public <T> T read(Function<RegistryState, T> query) {
        lock.readLock().lock();
        try {
            return query.apply(state);
        } finally {
            lock.readLock().unlock();
        }
    }

    public long appliedIndex() {
        TermIndex last = getLastAppliedTermIndex();
        return last == null ? 0 : last.getIndex();
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        getLifeCycle().startAndTransition(() -> loadSnapshot(storage.getLatestSnapshot()));
        latestSnapshot = storage.getLatestSnapshot();
    }

    @Override
    public void pause() {
        // A follower about to install a snapshot pauses us; Ratis asserts we are PAUSED before reinitialize.
        LifeCycle life = getLifeCycle();
        if (life.compareAndTransition(LifeCycle.State.RUNNING, LifeCycle.State.PAUSING)) {
            life.transition(LifeCycle.State.PAUSED);
        }
    }

    @Override
    public void reinitialize() throws IOException {
        SingleFileSnapshotInfo installed = storage.loadLatestSnapshot();
        loadSnapshot(installed);
        latestSnapshot = installed;
        LifeCycle life = getLifeCycle();
        if (life.compareAndTransition(LifeCycle.State.PAUSED, LifeCycle.State.STARTING)) {
            life.transition(LifeCycle.State.RUNNING);
        }
    }

    private void loadSnapshot(SingleFileSnapshotInfo snapshot) throws IOException {
        if (snapshot == null) {
            return;
        }
        File file = snapshot.getFile().getPath().toFile();
        MD5Hash md5 = snapshot.getFile().getFileDigest();
        if (md5 != null) {
            MD5FileUtil.verifySavedMD5(file, md5);
        }
        RegistryState loaded;
        long started = System.nanoTime();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file.toPath()), 1 << 16)) {
            loaded = SnapshotCodec.read(in);
        }
        lock.writeLock().lock();
        try {
            state = loaded;
            setLastAppliedTermIndex(snapshot.getTermIndex());
        } finally {
            lock.writeLock().unlock();
        }
        LOG.info("Loaded snapshot {} ({} instances) in {} ms", file.getName(), loaded.size(),
                (System.nanoTime() - started) / 1_000_000);
        listener.reloaded(snapshot.getIndex(), Set.copyOf(loaded.serviceNames()));
    }

    @Override
    public long takeSnapshot() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
        TermIndex last;
        // Serialize to memory under the read lock (fast), write the file outside it (slow).
        lock.readLock().lock();
        try {
            last = getLastAppliedTermIndex();
            if (last == null) {
                return -1;
            }
            SnapshotCodec.write(state, bytes);
        } finally {
            lock.readLock().unlock();
        }
        File target = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        File tmp = new File(target.getParentFile(), target.getName() + ".tmp");
        Files.write(tmp.toPath(), bytes.toByteArray());
        Files.move(tmp.toPath(), target.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(target);
        SingleFileSnapshotInfo taken = new SingleFileSnapshotInfo(new FileInfo(target.toPath(), md5), last);
        storage.updateLatestSnapshot(taken);
        latestSnapshot = taken;
        LOG.info("Took snapshot {} ({} bytes)", target.getName(), bytes.size());
        return last.getIndex();
    }

    /**
     * Ratis asks this on every pass of each log appender (does the follower need a snapshot?). Until the
     * first snapshot exists, {@link SimpleStateMachineStorage} answers by listing the directory each time:
     * 4 % of a loaded leader's CPU. Snapshots change only here (taken, or installed then reinitialized).
     */
    @Override
    public SnapshotInfo getLatestSnapshot() {
        return latestSnapshot;
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        byte[] entry;
        try {
            // Time enters the log here, on the leader, so every replica applies the same timestamp.
            entry = EntryCodec.stamp(request.getMessage().getContent().toByteArray(), clockMillis.getAsLong());
        } catch (RuntimeException e) {
            throw new IOException("not a registry command: " + e.getMessage(), e);
        }
        return TransactionContext.newBuilder()
                .setStateMachine(this)
                .setClientRequest(request)
                .setLogData(ByteString.copyFrom(entry))
                .build();
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        long index = entry.getIndex();
        Result result;
        Map<String, Set<String>> changed = Map.of();
        lock.writeLock().lock();
        try {
            Entry decoded = EntryCodec.decode(entry.getStateMachineLogEntry().getLogData().toByteArray());
            result = state.apply(decoded.command(), index, decoded.leaderTimeMillis());
            changed = state.drainChanges();
        } catch (RuntimeException t) {
            // Throwing here would close the server; an undecodable entry is answered as an error instead.
            // Errors (out of memory) do propagate: a replica that cannot apply must stop, not diverge.
            LOG.error("Could not apply log entry {}; answering an error result", index, t);
            result = new Result.Rejected("internal", "the entry at index " + index + " could not be applied: " + t);
        } finally {
            updateLastAppliedTermIndex(entry.getTerm(), index);
            lock.writeLock().unlock();
        }
        listener.applied(index, changed);
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(EntryCodec.encodeResult(result))));
    }

    @Override
    public void notifyTermIndexUpdated(long term, long index) {
        // Configuration and leader no-op entries advance the applied index without touching the state.
        super.notifyTermIndexUpdated(term, index);
        listener.applied(index, Map.of());
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        // Linearizable reads only need Ratis to wait for the read index; the node then reads locally.
        return CompletableFuture.completedFuture(Message.EMPTY);
    }

    @Override
    public void notifyLeaderReady() {
        listener.leaderReady();
    }

    @Override
    public void notifyNotLeader(Collection<TransactionContext> pendingEntries) {
        listener.notLeader();
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        listener.leaderChanged(newLeaderId.toString());
    }

    @Override
    public void notifyServerShutdown(RoleInfoProto roleInfo, boolean allServer) {
        listener.serverShutdown();
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            state = new RegistryState();
        } finally {
            lock.writeLock().unlock();
        }
    }
}
