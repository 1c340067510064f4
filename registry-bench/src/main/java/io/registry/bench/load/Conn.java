package io.registry.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.registry.api.Headers;
import io.registry.bench.Latency;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * One keep-alive connection of a {@link HttpLoad.Run}: sends a request, waits for the whole answer, sends
 * the next. Confined to one event loop. A failed connection is reopened after a short pause, so a dead
 * node costs a few connect attempts per second, not a spin.
 */
@ChannelHandler.Sharable
final class Conn extends ChannelInboundHandlerAdapter {
    private static final long RECONNECT_MILLIS = 50;
    /** Timeouts are seconds; a coarse sweep keeps 64 connections' timers off the generator's one core. */
    private static final long SWEEP_MILLIS = 100;

    private final HttpLoad.Run run;
    private final int id;
    private final String host;
    private final InetSocketAddress address;
    private final Bootstrap bootstrap;
    final EventLoop loop;

    private Channel channel;
    private Request inflight;
    private long sentNanos;
    private long lastSendNanos;
    private int status;
    private long index;
    private long answerBytes;
    private boolean sendScheduled;
    private boolean finished;
    private ScheduledFuture<?> sweep;

    final Histogram histogram = Latency.histogram();
    final Map<String, Long> errors = new HashMap<>();
    long ok;
    long bytes;
    long lastCompletion;

    Conn(HttpLoad.Run run, int id, String hostPort, Bootstrap bootstrap) {
        this.run = run;
        this.id = id;
        this.host = hostPort;
        int colon = hostPort.lastIndexOf(':');
        this.address = new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
        this.loop = (EventLoop) bootstrap.config().group();
        this.bootstrap = bootstrap.handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpResponseDecoder(4096, 16384, 1 << 20), Conn.this);
            }
        });
    }

    void start() {
        loop.execute(() -> {
            sweep = loop.scheduleAtFixedRate(this::checkTimeout, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
            connect();
        });
    }

    private void connect() {
        if (finished) {
            return;
        }
        if (System.nanoTime() >= run.stopAt) {
            finish();
            return;
        }
        ChannelFuture f = bootstrap.connect(address);
        channel = f.channel();
        f.addListener(done -> {
            if (!done.isSuccess() && f.channel() == channel) {
                channel = null;
                count("connect", System.nanoTime());
                loop.schedule(this::connect, RECONNECT_MILLIS, TimeUnit.MILLISECONDS);
            }
        });
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (ctx.channel() == channel) {
            sendNext();
        }
    }

    private void sendNext() {
        sendScheduled = false;
        if (finished || channel == null || inflight != null) {
            return;
        }
        long now = System.nanoTime();
        if (now >= run.stopAt) {
            finish();
            return;
        }
        if (run.pacingNanos > 0 && lastSendNanos != 0 && now < lastSendNanos + run.pacingNanos) {
            if (!sendScheduled) {
                sendScheduled = true;
                loop.schedule(this::sendNext, lastSendNanos + run.pacingNanos - now, TimeUnit.NANOSECONDS);
            }
            return;
        }
        Request r = run.workload.next(id, host);
        if (r == null) {
            finish();
            return;
        }
        inflight = r;
        sentNanos = now;
        lastSendNanos = now;
        status = 0;
        index = -1;
        answerBytes = 0;
        ByteBuf buf = channel.alloc().buffer(r.bytes().length).writeBytes(r.bytes());
        channel.writeAndFlush(buf, channel.voidPromise());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (ctx.channel() != channel || inflight == null) {
                return;
            }
            if (msg instanceof HttpResponse response) {
                if (!response.decoderResult().isSuccess()) {
                    fail("bad-response");
                    ctx.close();
                    return;
                }
                status = response.status().code();
                String header = response.headers().get(Headers.INDEX);
                index = header == null ? -1 : parseLong(header);
            }
            if (msg instanceof HttpContent content) {
                answerBytes += content.content().readableBytes();
                if (msg instanceof LastHttpContent) {
                    complete();
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void complete() {
        Request r = inflight;
        inflight = null;
        long end = System.nanoTime();
        boolean success = status >= 200 && status < 300;
        if (inWindow(end)) {
            if (success) {
                ok++;
                bytes += answerBytes;
                Latency.record(histogram, end - sentNanos);
                lastCompletion = end;
            } else {
                errors.merge("http-" + status, 1L, Long::sum);
            }
        }
        run.workload.done(id, r, status, index, sentNanos, end);
        sendNext();
    }

    private void fail(String kind) {
        Request r = inflight;
        inflight = null;
        long end = System.nanoTime();
        count(kind, end);
        if (r != null) {
            run.workload.done(id, r, 0, -1, sentNanos, end);
        }
    }

    private void count(String kind, long when) {
        if (inWindow(when)) {
            errors.merge(kind, 1L, Long::sum);
        }
    }

    private boolean inWindow(long nanos) {
        return nanos >= run.measureStart && nanos < run.measureEnd;
    }

    private void checkTimeout() {
        if (inflight != null && System.nanoTime() - sentNanos > run.settings.timeout().toNanos()) {
            fail("timeout");
            if (channel != null) {
                channel.close();
            }
        }
        if (!finished && channel == null && inflight == null && System.nanoTime() >= run.stopAt) {
            finish();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (ctx.channel() != channel) {
            return;
        }
        channel = null;
        if (inflight != null) {
            fail("closed");
        }
        if (!finished) {
            loop.schedule(this::connect, RECONNECT_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    /** Stops after the await deadline: whatever is in flight is dropped and counted. */
    void abandon() {
        if (inflight != null) {
            fail("timeout");
        }
        finish();
    }

    private synchronized void finish() {
        if (finished) {
            return;
        }
        finished = true;
        if (sweep != null) {
            sweep.cancel(false);
        }
        if (channel != null) {
            channel.close();
        }
        run.finished.countDown();
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
