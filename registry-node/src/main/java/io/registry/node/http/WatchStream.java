package io.registry.node.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.registry.api.Json;
import io.registry.api.Responses;
import io.registry.node.read.ChangeFeed;
import io.registry.node.read.InstanceFilter;
import io.registry.node.read.RegistryReader;
import io.registry.node.read.ServiceView;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /v1/watch/services/{service}}: a server-sent-event stream with the full instance list on
 * connect and after every change. Each event replaces the previous one, so a slow reader that cannot
 * take every event is sent the latest list when it can, never an unbounded backlog.
 */
final class WatchStream {
    static final long KEEPALIVE_SECONDS = 15;

    private final ChannelHandlerContext ctx;
    private final String service;
    private final InstanceFilter filter;
    private final RegistryReader reader;
    private long lastSentIndex = -1;
    /** Nothing is sent until this node holds the writes it has answered, as for a read (RegistryApi). */
    private volatile boolean ready;

    private WatchStream(ChannelHandlerContext ctx, String service, InstanceFilter filter, RegistryReader reader) {
        this.ctx = ctx;
        this.service = service;
        this.filter = filter;
        this.reader = reader;
    }

    static void open(ChannelHandlerContext ctx, String service, InstanceFilter filter, RegistryReader reader,
                     ChangeFeed changes, ScheduledExecutorService timer, CompletableFuture<Void> ownWritesApplied) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        head.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        HttpUtil.setTransferEncodingChunked(head, true);
        ctx.writeAndFlush(head);
        WatchStream stream = new WatchStream(ctx, service, filter, reader);
        Runnable unsubscribe = changes.subscribe(service, stream::sendIfChanged);
        ScheduledFuture<?> keepalive = timer.scheduleAtFixedRate(stream::keepalive, KEEPALIVE_SECONDS,
                KEEPALIVE_SECONDS, TimeUnit.SECONDS);
        ctx.channel().closeFuture().addListener(f -> {
            unsubscribe.run();
            keepalive.cancel(false);
        });
        ownWritesApplied.whenComplete((ignored, error) -> {
            stream.ready = true;
            stream.sendIfChanged();
        });
    }

    private synchronized void sendIfChanged() {
        if (!ready || !ctx.channel().isActive() || !ctx.channel().isWritable()) {
            return; // the keepalive tick retries once the reader has caught up
        }
        ServiceView view = reader.service(service);
        if (view.index() <= lastSentIndex) {
            return;
        }
        lastSentIndex = view.index();
        byte[] json;
        try {
            json = Json.strict().writeValueAsBytes(new Responses.Instances(service, view.index(),
                    filter.apply(view.instances())));
        } catch (Exception e) {
            ctx.close();
            return;
        }
        String event = "event: instances\nid: " + view.index() + "\ndata: " + new String(json, StandardCharsets.UTF_8)
                + "\n\n";
        ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(event.getBytes(StandardCharsets.UTF_8))));
    }

    private void keepalive() {
        sendIfChanged();
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(
                    ": keepalive\n\n".getBytes(StandardCharsets.US_ASCII))));
        }
    }
}
