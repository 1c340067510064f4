package io.registry.node.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Runs one task per worker at the same time and rethrows the first failure, for tests of concurrent clients. */
public final class Concurrently {
    /** A worker's body; {@code worker} is 0 to workers - 1. */
    public interface Worker {
        void run(int worker) throws Exception;
    }

    private Concurrently() {
    }

    public static void run(int workers, Worker body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                int worker = w;
                done.add(pool.submit(() -> {
                    body.run(worker);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
