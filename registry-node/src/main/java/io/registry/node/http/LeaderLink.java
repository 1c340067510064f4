package io.registry.node.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A follower's kept-open HTTP/1.1 connections to the leader, for what it hands over there (relayed
 * heartbeats, forwarded write batches).
 * One request at a time per connection; a connection that answered goes back to its address's idle
 * pool, one that failed or timed out is closed. Callers bound their own concurrency, so the pool stays
 * as small as that. The JDK's HttpClient did this before at several thread hand-offs per exchange:
 * relayed heartbeats then ran at half the rate of heartbeats sent to the leader directly.
 */
public final class LeaderLink implements AutoCloseable {
    /** An answer: its status and whole body. */
    record Response(int status, byte[] body) {
    }

    private static final AttributeKey<CompletableFuture<Response>> PENDING = AttributeKey.valueOf("pending");

    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final Map<String, Queue<Channel>> idle = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public LeaderLink(int maxResponseBytes, Duration connectTimeout) {
        this.group = new MultiThreadIoEventLoopGroup(1, Transport.ioHandlers());
        this.bootstrap = new Bootstrap().group(group)
                .channel(Transport.clientChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(maxResponseBytes),
                                new Answer());
                    }
                });
    }

    /**
     * Posts {@code body} to {@code http://address path} (JSON unless {@code headers} say otherwise); fails with
     * an {@link IOException}, or a {@link TimeoutException} after {@code timeout}.
     */
    CompletableFuture<Response> post(String address, String path, Map<String, String> headers, byte[] body,
                                     Duration timeout) {
        CompletableFuture<Response> answer = new CompletableFuture<>();
        if (closed) {
            answer.completeExceptionally(new IOException("the link to the leader is closed"));
            return answer;
        }
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path,
                Unpooled.wrappedBuffer(body));
        request.headers().set(HttpHeaderNames.HOST, address)
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        headers.forEach((name, value) -> request.headers().set(name, value));
        Channel channel = idleChannel(address);
        if (channel != null) {
            send(channel, address, request, answer, timeout);
        } else {
            bootstrap.connect(toSocketAddress(address)).addListener(connected -> {
                if (connected.isSuccess()) {
                    send(((io.netty.channel.ChannelFuture) connected).channel(), address, request, answer, timeout);
                } else {
                    request.release();
                    answer.completeExceptionally(new IOException("could not connect to " + address, connected.cause()));
                }
            });
        }
        return answer;
    }

    private Channel idleChannel(String address) {
        Queue<Channel> pool = idle.get(address);
        Channel c;
        while (pool != null && (c = pool.poll()) != null) {
            if (c.isActive()) {
                return c;
            }
        }
        return null;
    }

    private void send(Channel channel, String address, FullHttpRequest request, CompletableFuture<Response> answer,
                      Duration timeout) {
        // The connection goes back to its pool before the caller hears the answer: a caller that posts again at
        // once then finds it there instead of opening a second one.
        CompletableFuture<Response> exchange = new CompletableFuture<>();
        channel.attr(PENDING).set(exchange);
        var timer = channel.eventLoop().schedule(() -> {
            if (exchange.completeExceptionally(new TimeoutException("no answer from " + address + " within " + timeout))) {
                channel.close();
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        exchange.whenComplete((response, error) -> {
            timer.cancel(false);
            if (error == null && channel.isActive() && !closed) {
                idle.computeIfAbsent(address, a -> new ConcurrentLinkedQueue<>()).add(channel);
            }
            if (error == null) {
                answer.complete(response);
            } else {
                answer.completeExceptionally(error);
            }
        });
        channel.writeAndFlush(request).addListener(written -> {
            if (!written.isSuccess()) {
                exchange.completeExceptionally(new IOException("could not send to " + address, written.cause()));
                channel.close();
            }
        });
    }

    private static InetSocketAddress toSocketAddress(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return InetSocketAddress.createUnresolved(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    /** Completes the pending request of its connection; a connection the leader closes fails it. */
    private static final class Answer extends SimpleChannelInboundHandler<FullHttpResponse> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            CompletableFuture<Response> pending = ctx.channel().attr(PENDING).getAndSet(null);
            boolean keepAlive = HttpUtil.isKeepAlive(response);
            if (!keepAlive) {
                ctx.close();
            }
            if (pending != null) {
                pending.complete(new Response(response.status().code(), ByteBufUtil.getBytes(response.content())));
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            CompletableFuture<Response> pending = ctx.channel().attr(PENDING).getAndSet(null);
            if (pending != null) {
                pending.completeExceptionally(new IOException("the leader closed the connection"));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            CompletableFuture<Response> pending = ctx.channel().attr(PENDING).getAndSet(null);
            if (pending != null) {
                pending.completeExceptionally(cause);
            }
            ctx.close();
        }
    }

    @Override
    public void close() {
        closed = true;
        if (group.isShuttingDown()) {
            return;
        }
        idle.values().forEach(pool -> pool.forEach(Channel::close));
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
