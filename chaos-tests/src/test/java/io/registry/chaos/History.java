package io.registry.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/** Every operation the workload attempted, with its outcome, in System.nanoTime order of completion. */
final class History {
    enum Kind { REGISTER, DEREGISTER }

    /** ACK: 200 with an index. REJECTED: a definite 4xx refusal. NOT_FOUND: 404 on a deregistration. */
    enum Outcome { ACK, REJECTED, NOT_FOUND, UNKNOWN }

    record Write(Kind kind, String id, String node, long startNanos, long endNanos, Outcome outcome, long index,
                 String detail) {
    }

    /** One instances query; {@code ids} (sorted instance keys) is kept for linearizable reads only. */
    record Read(String node, String consistency, long startNanos, long endNanos, int status, long index,
                long headerIndex, long[] ids) {
        boolean ok() {
            return status == 200;
        }

        boolean linearizable() {
            return "linearizable".equals(consistency);
        }
    }

    private final ConcurrentLinkedQueue<Write> writes = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Read> reads = new ConcurrentLinkedQueue<>();

    void add(Write write) {
        writes.add(write);
    }

    void add(Read read) {
        reads.add(read);
    }

    List<Write> writes() {
        return new ArrayList<>(writes);
    }

    List<Read> reads() {
        return new ArrayList<>(reads);
    }

    long acknowledged() {
        return writes.stream().filter(w -> w.outcome() == Outcome.ACK).count();
    }

    long acknowledgedSince(long nanos) {
        return writes.stream().filter(w -> w.outcome() == Outcome.ACK && w.startNanos() >= nanos).count();
    }

    /** One line per operation, times in ms since {@code originNanos}, for reading a failed run. */
    void dump(Path file, long originNanos) {
        StringBuilder out = new StringBuilder("op,id_or_consistency,node,start_ms,end_ms,outcome,index,detail\n");
        for (Write w : writes) {
            out.append(w.kind()).append(',').append(w.id()).append(',').append(w.node()).append(',')
                    .append(ms(w.startNanos(), originNanos)).append(',').append(ms(w.endNanos(), originNanos)).append(',')
                    .append(w.outcome()).append(',').append(w.index()).append(',')
                    .append(w.detail() == null ? "" : '"' + w.detail().replace('"', '\'') + '"').append('\n');
        }
        for (Read r : reads) {
            out.append("READ,").append(r.consistency()).append(',').append(r.node()).append(',')
                    .append(ms(r.startNanos(), originNanos)).append(',').append(ms(r.endNanos(), originNanos)).append(',')
                    .append(r.status()).append(',').append(r.index()).append(",\n");
        }
        try {
            Files.writeString(file, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String ms(long nanos, long originNanos) {
        return String.format(java.util.Locale.ROOT, "%.1f", (nanos - originNanos) / 1e6);
    }

    /** Instance ids are {@code w<writer>-<sequence>}; a long key makes read sets compact. */
    static long key(String id) {
        int dash = id.indexOf('-');
        if (!id.startsWith("w") || dash < 0) {
            return -1;
        }
        try {
            return (Long.parseLong(id.substring(1, dash)) << 32) | Long.parseLong(id.substring(dash + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
