package io.registry.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.registry.bench.Latency;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * A closed-loop HTTP/1.1 load generator on Netty: {@code concurrency} keep-alive connections, each with one
 * request in flight, sent again as soon as the answer arrives (or at a paced interval when a rate is set).
 * All of a connection's state lives on its event loop; by default one thread drives every connection, which
 * keeps the generator's share of a 2-core machine small.
 */
public final class HttpLoad implements AutoCloseable {
    private static final Duration DEFAULT_MAX_RUN = Duration.ofMinutes(10);

    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final Class<? extends io.netty.channel.Channel> channelType;

    public HttpLoad(int threads) {
        // Native epoll where it loads: the generator shares the machine with the nodes it measures, so its
        // own system calls per request count against the figures.
        boolean epoll = Epoll.isAvailable();
        this.channelType = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        this.group = new MultiThreadIoEventLoopGroup(threads, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.bootstrap = new Bootstrap().group(group).channel(channelType)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2000);
    }

    /**
     * How to run. {@code duration} null means "until the workload runs out" (setup loads), bounded by
     * {@code maxRun}; {@code ratePerSecond} 0 means unpaced.
     */
    public record Settings(int concurrency, Duration warmup, Duration duration, int ratePerSecond, Duration timeout,
                           Duration maxRun) {
        public static Settings timed(int concurrency, Duration warmup, Duration duration, int rate, Duration timeout) {
            return new Settings(concurrency, warmup, duration, rate, timeout, DEFAULT_MAX_RUN);
        }

        public static Settings untilDone(int concurrency, Duration timeout) {
            return new Settings(concurrency, Duration.ZERO, null, 0, timeout, DEFAULT_MAX_RUN);
        }
    }

    /** What a run measured: successful answers (2xx) in the window, their latency, failures by kind. */
    public record Outcome(long ok, double seconds, Histogram latency, Map<String, Long> errors, long responseBytes,
                          boolean complete) {
        public long errorCount() {
            return errors.values().stream().mapToLong(Long::longValue).sum();
        }

        public double opsPerSecond() {
            return seconds > 0 ? ok / seconds : 0;
        }
    }

    /** A started run; {@link #await} collects it. */
    public final class Run {
        final Workload workload;
        final Settings settings;
        final long startNanos;
        final long measureStart;
        final long measureEnd;
        final long pacingNanos;
        volatile long stopAt;
        final CountDownLatch finished;
        final List<Conn> conns = new ArrayList<>();

        Run(List<String> targets, Workload workload, Settings s) {
            this.workload = workload;
            this.settings = s;
            this.startNanos = System.nanoTime();
            this.measureStart = startNanos + s.warmup().toNanos();
            long maxRunEnd = startNanos + s.maxRun().toNanos();
            this.measureEnd = s.duration() == null ? maxRunEnd : measureStart + s.duration().toNanos();
            this.stopAt = measureEnd;
            this.pacingNanos = s.ratePerSecond() <= 0 ? 0 : (long) (1e9 * s.concurrency() / s.ratePerSecond());
            this.finished = new CountDownLatch(s.concurrency());
            for (int i = 0; i < s.concurrency(); i++) {
                String target = targets.get(i % targets.size());
                conns.add(new Conn(this, i, target, bootstrap.clone(group.next())));
            }
        }

        /** No new requests after now; in-flight ones still complete. */
        public void stop() {
            stopAt = System.nanoTime();
        }

        public Outcome await() throws InterruptedException {
            long waitNanos = Math.max(0, stopAt - System.nanoTime()) + settings.timeout().toNanos()
                    + TimeUnit.SECONDS.toNanos(5);
            boolean complete = finished.await(waitNanos, TimeUnit.NANOSECONDS);
            if (!complete) {
                conns.forEach(c -> c.loop.execute(c::abandon));
                finished.await(5, TimeUnit.SECONDS);
            }
            long end = Math.min(System.nanoTime(), measureEnd);
            Histogram merged = Latency.histogram();
            Map<String, Long> errors = new TreeMap<>();
            long ok = 0;
            long bytes = 0;
            long lastCompletion = measureStart;
            for (Conn c : conns) {
                synchronized (c) {
                    merged.add(c.histogram);
                    c.errors.forEach((k, v) -> errors.merge(k, v, Long::sum));
                    ok += c.ok;
                    bytes += c.bytes;
                    lastCompletion = Math.max(lastCompletion, c.lastCompletion);
                }
            }
            long windowEnd = settings.duration() == null ? lastCompletion : end;
            double seconds = Math.max(0, windowEnd - measureStart) / 1e9;
            return new Outcome(ok, seconds, merged, errors, bytes, complete);
        }
    }

    /** Starts {@code concurrency} connections, connection i to {@code targets[i % targets.size()]}. */
    public Run start(List<String> targets, Workload workload, Settings settings) {
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("no target nodes");
        }
        Run run = new Run(targets, workload, settings);
        run.conns.forEach(Conn::start);
        return run;
    }

    public Outcome run(List<String> targets, Workload workload, Settings settings) throws InterruptedException {
        return start(targets, workload, settings).await();
    }

    /** A client bootstrap on this generator's event loops and transport, for extra connections (watches). */
    public Bootstrap newBootstrap() {
        return new Bootstrap().group(group).channel(channelType);
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
