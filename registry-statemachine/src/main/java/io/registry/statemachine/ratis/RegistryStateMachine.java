package io.registry.statemachine.ratis;

import io.registry.statemachine.codec.EntryCodec;
import io.registry.statemachine.codec.SnapshotCodec;
import io.registry.statemachine.command.Entry;
import io.registry.statemachine.core.RegistryState;
import io.registry.statemachine.core.Result;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.UncheckedIOException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
    /** Saves snapshots off Ratis's apply thread; see {@link #takeSnapshot}. */
    private final ExecutorService snapshotWriter = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "snapshot-writer");
        t.setDaemon(true);
        return t;
    });
    /** The snapshot being written, if any; set and cleared on Ratis's apply thread. */
    private volatile CompletableFuture<SingleFileSnapshotInfo> writing;
    private volatile boolean nextInForeground;

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
        synchronized (storage) {
            latestSnapshot = installed;
        }
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

    /**
     * Ratis calls this on its apply thread, which applies nothing until it returns, and purges the log up to
     * the index returned, so that index's file must be on disk by then. Writing 900,000 instances took that
     * thread about two seconds (writes waiting on it timed out, docs/BENCHMARKS.md). So only a copy of the
     * state is made here (linear, shared immutable instances) and a writer thread saves it; this call
     * answers -1 (no snapshot yet, log kept) until the file is written and synced, and then its index, the
     * next time Ratis asks (after the next apply). An operator's request ({@link #writeNextSnapshotInForeground})
     * is written before returning, so that it answers with its index.
     */
    @Override
    public long takeSnapshot() throws IOException {
        boolean foreground = nextInForeground;
        CompletableFuture<SingleFileSnapshotInfo> pending = writing;
        if (pending != null) {
            if (!pending.isDone() && !foreground) {
                return -1;
            }
            writing = null;
            SingleFileSnapshotInfo written = awaitWritten(pending);
            if (!foreground) {
                // Ratis requires its snapshot index to only grow, and one installed from the leader meanwhile
                // set it to that snapshot's index, which may be past ours.
                SingleFileSnapshotInfo latest = latestSnapshot;
                return latest == null ? written.getIndex() : Math.max(written.getIndex(), latest.getIndex());
            }
        }
        nextInForeground = false;
        RegistryState copy;
        TermIndex last;
        lock.readLock().lock();
        try {
            last = getLastAppliedTermIndex();
            if (last == null) {
                return -1;
            }
            copy = state.copy();
        } finally {
            lock.readLock().unlock();
        }
        if (foreground) {
            return write(copy, last).getIndex();
        }
        writing = CompletableFuture.supplyAsync(() -> {
            try {
                return write(copy, last);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, snapshotWriter);
        return -1;
    }

    /** The next snapshot Ratis asks for is written before {@link #takeSnapshot} returns its index. */
    public void writeNextSnapshotInForeground() {
        nextInForeground = true;
    }

    private static SingleFileSnapshotInfo awaitWritten(CompletableFuture<SingleFileSnapshotInfo> pending)
            throws IOException {
        try {
            return pending.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause() instanceof UncheckedIOException u ? u.getCause() : e.getCause();
            throw new IOException("writing the snapshot failed: " + cause, cause);
        }
    }

    private SingleFileSnapshotInfo write(RegistryState copy, TermIndex last) throws IOException {
        long started = System.nanoTime();
        File target = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        File tmp = new File(target.getParentFile(), target.getName() + ".tmp");
        MessageDigest digest = MD5FileUtil.newMD5();
        try (FileOutputStream file = new FileOutputStream(tmp);
             BufferedOutputStream out = new BufferedOutputStream(new DigestOutputStream(file, digest), 1 << 16)) {
            SnapshotCodec.write(copy, out);
            out.flush();
            file.getChannel().force(true);   // the log is purged up to this index once we answer it
        }
        // The digest file first: Ratis lists the directory meanwhile and warns of a snapshot without one.
        MD5Hash md5 = MD5Hash.newInstance(digest.digest());
        MD5FileUtil.saveMD5File(target, md5);
        Files.move(tmp.toPath(), target.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        SingleFileSnapshotInfo taken = new SingleFileSnapshotInfo(new FileInfo(target.toPath(), md5), last);
        synchronized (storage) {
            // A snapshot installed from the leader meanwhile may be newer than this one.
            if (latestSnapshot == null || latestSnapshot.getIndex() < taken.getIndex()) {
                storage.updateLatestSnapshot(taken);
                latestSnapshot = taken;
            }
        }
        LOG.info("Took snapshot {} ({} instances, {} bytes) in {} ms", target.getName(), copy.size(), target.length(),
                (System.nanoTime() - started) / 1_000_000);
        return taken;
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
        listener.committed(index);
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
        listener.committed(index);
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
        snapshotWriter.shutdown();
        lock.writeLock().lock();
        try {
            state = new RegistryState();
        } finally {
            lock.writeLock().unlock();
        }
    }
}
