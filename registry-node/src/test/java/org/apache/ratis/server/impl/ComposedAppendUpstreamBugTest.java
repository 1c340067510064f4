package org.apache.ratis.server.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.junit.jupiter.api.Test;

/**
 * Pins the Ratis 3.3.0 behaviour that made the node turn "append-entries compose" off (RaftNode
 * properties; docs/RELIABILITY.md, Findings 4). A follower composing appends skips a request whose first
 * index equals that of one still being written, even when the new request carries more entries, and the
 * follower then answers success up to the skipped request's last entry: the leader's match index runs
 * ahead of the follower's log, and once writes stop the follower never catches up.
 *
 * <p>Lives in Ratis's package because the class is package-private. When an upgrade fixes this, the test
 * fails: then compose may be switched back on (and this test deleted) after a chaos run.
 */
class ComposedAppendUpstreamBugTest {

    @Test
    void aRetryStartingWhereAPendingAppendStartedIsSkippedEvenWhenItCarriesMoreEntries() throws Exception {
        ServerImplUtils.NavigableIndices pending = new ServerImplUtils.NavigableIndices();
        List<Long> written = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> slowDisk = new CompletableFuture<>();

        // The first request (entries 5..7) is still being written when the leader, after a reset of its
        // stream, resends from 5 with more entries (5..9).
        CompletableFuture<Void> first = pending.append(entries(5, 7), e -> {
            e.forEach(x -> written.add(x.getIndex()));
            return slowDisk;
        });
        CompletableFuture<Void> retry = pending.append(entries(5, 9), e -> {
            e.forEach(x -> written.add(x.getIndex()));
            return CompletableFuture.completedFuture(null);
        });
        slowDisk.complete(null);
        first.get(5, TimeUnit.SECONDS);
        retry.get(5, TimeUnit.SECONDS);

        // The retry "succeeded" (the follower would report a match index of 9), yet 8 and 9 were never written.
        assertThat(retry).isCompleted();
        assertThat(written).containsExactly(5L, 6L, 7L);
    }

    private static List<LogEntryProto> entries(long from, long to) {
        return LongStream.rangeClosed(from, to)
                .mapToObj(i -> LogEntryProto.newBuilder().setTerm(1).setIndex(i).build())
                .toList();
    }
}
