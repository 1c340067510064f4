package io.registry.node.http;

import io.registry.api.ApiError;
import io.registry.api.Json;
import io.registry.node.raft.RaftNode;
import io.registry.node.raft.WriteBatcher;
import io.registry.statemachine.codec.EntryCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A follower's side of {@code POST /v1/internal/writes}: its batcher's batch goes to the leader's batcher
 * over the {@link LeaderLink}, encoded as in the log, and comes back as the entry's index and result
 * ({@code 8-byte index, then the encoded result}).
 */
public final class WriteForwarder implements WriteBatcher.Forward {
    static final String PATH = "/v1/internal/writes";
    /** The error code with which a leader turns a batch away before appending it. */
    static final String REFUSED = "not_leader";
    private static final String BINARY = "application/octet-stream";
    private static final Map<String, String> HEADERS = Map.of("Content-Type", BINARY, HeartbeatRelay.FORWARDED_HEADER, "1");
    /**
     * A loaded leader commits in tens of milliseconds; past this the caller learns "outcome unknown" (503)
     * and may try another node. As the Ratis client's request timeout: with 2 s, clients writing through a
     * cut-off follower waited longer before moving on (chaos scenario i: 1.6 s instead of 1.0 s).
     */
    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private final RaftNode raft;
    private final LeaderLink link;
    private final int maxBytes;

    public WriteForwarder(RaftNode raft, LeaderLink link, int maxRequestBytes) {
        this.raft = raft;
        this.link = link;
        this.maxBytes = maxRequestBytes;
    }

    @Override
    public CompletableFuture<WriteBatcher.Applied> forward(byte[] command) {
        Optional<String> address = raft.leaderId().filter(leader -> !leader.equals(raft.id())).flatMap(raft::httpAddressOf);
        if (address.isEmpty()) {
            return CompletableFuture.failedFuture(new WriteBatcher.Refused("no other node is known as the leader"));
        }
        return link.post(address.get(), PATH, HEADERS, command, TIMEOUT).thenApply(WriteForwarder::read);
    }

    @Override
    public int maxBytes() {
        return maxBytes;
    }

    /** The leader's answer to a forwarded batch, once it has applied it. */
    static Reply answer(WriteBatcher.Applied applied) {
        byte[] result = EntryCodec.encodeResult(applied.result());
        byte[] body = ByteBuffer.allocate(8 + result.length).putLong(applied.index()).put(result).array();
        return Reply.json(body).header("Content-Type", BINARY);
    }

    static WriteBatcher.Applied read(LeaderLink.Response response) {
        byte[] body = response.body();
        if (response.status() == 200 && body.length > 8) {
            long index = ByteBuffer.wrap(body).getLong();
            return new WriteBatcher.Applied(index, EntryCodec.decodeResult(Arrays.copyOfRange(body, 8, body.length)));
        }
        ApiError error = parseError(body);
        if (response.status() == 503 && error != null && REFUSED.equals(error.error())) {
            throw new WriteBatcher.Refused(error.message());
        }
        throw new CompletionException(new IOException("the leader answered " + response.status()
                + (error == null ? "" : " " + error.error() + ": " + error.message())));
    }

    private static ApiError parseError(byte[] body) {
        try {
            return Json.lenient().readValue(body, ApiError.class);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
