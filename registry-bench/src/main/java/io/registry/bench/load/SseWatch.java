package io.registry.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** One SSE watch ({@code GET /v1/watch/services/S}); reports each event's id and arrival time. */
public final class SseWatch implements AutoCloseable {

    /** Called on the watch's event loop with the event id and {@link System#nanoTime()} of its arrival. */
    public interface Listener {
        void event(String node, long id, long arrivalNanos);
    }

    private final Channel channel;
    private final CompletableFuture<Void> firstEvent;

    private SseWatch(Channel channel, CompletableFuture<Void> firstEvent) {
        this.channel = channel;
        this.firstEvent = firstEvent;
    }

    /** Connects and subscribes; returns once the initial event (the current list) has arrived. */
    public static SseWatch open(HttpLoad load, String hostPort, String service, Listener listener)
            throws IOException {
        CompletableFuture<Void> first = new CompletableFuture<>();
        SseScanner[] scanner = new SseScanner[1];
        scanner[0] = new SseScanner(id -> {
            listener.event(hostPort, id, System.nanoTime());
            first.complete(null);
        });
        int colon = hostPort.lastIndexOf(':');
        Bootstrap b = load.newBootstrap()
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpResponseDecoder(4096, 16384, 1 << 20),
                                new SimpleChannelInboundHandler<HttpObject>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                                        if (msg instanceof HttpResponse r && r.status().code() != 200) {
                                            first.completeExceptionally(new IOException("watch answered " + r.status()));
                                            ctx.close();
                                        }
                                        if (msg instanceof HttpContent c) {
                                            ByteBuf buf = c.content();
                                            for (int i = buf.readerIndex(); i < buf.writerIndex(); i++) {
                                                scanner[0].feed(buf.getByte(i));
                                            }
                                        }
                                    }

                                    @Override
                                    public void channelInactive(ChannelHandlerContext ctx) {
                                        first.completeExceptionally(new IOException("watch closed by " + hostPort));
                                    }
                                });
                    }
                });
        Channel ch = b.connect(new InetSocketAddress(hostPort.substring(0, colon),
                Integer.parseInt(hostPort.substring(colon + 1)))).syncUninterruptibly().channel();
        String request = "GET /v1/watch/services/" + service + " HTTP/1.1\r\nHost: " + hostPort
                + "\r\nAccept: text/event-stream\r\n\r\n";
        ch.writeAndFlush(Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII));
        try {
            first.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            ch.close();
            throw new IOException("watch on " + hostPort + " sent no initial event: " + e, e);
        }
        return new SseWatch(ch, first);
    }

    public boolean open() {
        return channel.isActive() && !firstEvent.isCompletedExceptionally();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
}
