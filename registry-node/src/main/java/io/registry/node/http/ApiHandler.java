package io.registry.node.http;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.registry.api.ApiException;
import io.registry.api.Headers;
import io.registry.api.Json;
import io.registry.api.Validation;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Routes a request to {@link RegistryApi} and writes its reply; every failure becomes a JSON error. */
@ChannelHandler.Sharable
final class ApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);

    private final RegistryApi api;
    private final ScheduledExecutorService timer;

    ApiHandler(RegistryApi api, ScheduledExecutorService timer) {
        this.api = api;
        this.timer = timer;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        CompletableFuture<Reply> reply;
        if (request.decoderResult().isFailure()) {
            reply = CompletableFuture.completedFuture(Reply.error(400, "bad_request",
                    "the request could not be parsed as HTTP/1.1: " + request.decoderResult().cause().getMessage()));
            keepAlive = false;
        } else {
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            byte[] body = ByteBufUtil.getBytes(request.content());
            List<String> path = RegistryApi.segments(uri.path());
            if (isWatch(path) && request.method().equals(HttpMethod.GET)) {
                try {
                    Validation.serviceName(path.get(3));
                    long minIndex = RegistryApi.minIndex(request.headers().get(Headers.MIN_INDEX));
                    WatchStream.open(ctx, path.get(3), RegistryApi.filterOf(uri.parameters()), api.reader(),
                            api.changes(), timer, api.ownWritesApplied(minIndex));
                    return;
                } catch (RuntimeException e) {
                    write(ctx, toReply(e), true);
                    return;
                }
            }
            try {
                boolean forwarded = request.headers().contains(HeartbeatRelay.FORWARDED_HEADER);
                String minIndex = request.headers().get(Headers.MIN_INDEX);
                reply = route(request.method(), path, uri.parameters(), body, forwarded, minIndex);
            } catch (RuntimeException e) {
                reply = CompletableFuture.failedFuture(e);
            }
        }
        boolean close = !keepAlive;
        reply.whenComplete((r, error) -> write(ctx, r != null ? r : toReply(error), close));
    }

    private static boolean isWatch(List<String> p) {
        return p.size() == 4 && p.get(0).equals("v1") && p.get(1).equals("watch") && p.get(2).equals("services");
    }

    private CompletableFuture<Reply> route(HttpMethod method, List<String> p, Map<String, List<String>> query,
                                           byte[] body, boolean forwarded, String minIndexHeader) {
        int n = p.size();
        if (n == 1 && p.get(0).equals("metrics")) {
            return only(method, HttpMethod.GET, () -> CompletableFuture.completedFuture(api.metrics()));
        }
        if (n < 2 || !p.get(0).equals("v1")) {
            throw noRoute();
        }
        String area = p.get(1);
        if (area.equals("health") && n == 2) {
            return only(method, HttpMethod.GET, () -> CompletableFuture.completedFuture(api.health()));
        }
        if (area.equals("services")) {
            if (n == 2) {
                return only(method, HttpMethod.GET, () -> api.services(query, RegistryApi.minIndex(minIndexHeader)));
            }
            if (n == 4 && p.get(3).equals("instances")) {
                return only(method, HttpMethod.GET, () -> api.instances(p.get(2), query,
                        RegistryApi.minIndex(minIndexHeader)));
            }
            if (n == 4 && p.get(3).equals("pick")) {
                return only(method, HttpMethod.GET, () -> api.pick(p.get(2), query, RegistryApi.minIndex(minIndexHeader)));
            }
            if (n == 5 && p.get(3).equals("instances")) {
                if (method.equals(HttpMethod.PUT)) {
                    return api.register(p.get(2), p.get(4), body);
                }
                if (method.equals(HttpMethod.DELETE)) {
                    return api.deregister(p.get(2), p.get(4));
                }
                throw notAllowed(method, "PUT, DELETE");
            }
            if (n == 6 && p.get(3).equals("instances") && p.get(5).equals("heartbeat")) {
                return only(method, HttpMethod.PUT, () -> api.heartbeat(p.get(2), p.get(4), forwarded));
            }
        }
        if (area.equals("internal") && n == 3 && p.get(2).equals("heartbeats")) {
            return only(method, HttpMethod.POST, () -> api.relayedHeartbeats(body));
        }
        if (area.equals("internal") && n == 3 && p.get(2).equals("renewals")) {
            return only(method, HttpMethod.POST, () -> api.renewals(body));
        }
        if (area.equals("internal") && n == 3 && p.get(2).equals("writes")) {
            return only(method, HttpMethod.POST, () -> api.forwardedWrites(body));
        }
        if (area.equals("cluster")) {
            if (n == 2) {
                return only(method, HttpMethod.GET, () -> CompletableFuture.completedFuture(api.cluster()));
            }
            String what = p.get(2);
            if (what.equals("members") && n == 3) {
                return only(method, HttpMethod.POST, () -> api.addMember(body));
            }
            if (what.equals("members") && n == 4) {
                return only(method, HttpMethod.DELETE, () -> api.removeMember(p.get(3)));
            }
            if (what.equals("leader") && n == 3) {
                return only(method, HttpMethod.POST, () -> api.transferLeader(body));
            }
            if (what.equals("snapshot") && n == 3) {
                return only(method, HttpMethod.POST, api::snapshot);
            }
        }
        throw noRoute();
    }

    private interface Endpoint {
        CompletableFuture<Reply> call();
    }

    private static CompletableFuture<Reply> only(HttpMethod actual, HttpMethod allowed, Endpoint endpoint) {
        if (!actual.equals(allowed)) {
            throw notAllowed(actual, allowed.name());
        }
        return endpoint.call();
    }

    private static ApiException noRoute() {
        return ApiException.notFound("no_route", "no such endpoint; the API lives under /v1 (see the README's "
                + "HTTP API table), e.g. GET /v1/services");
    }

    private static ApiException notAllowed(HttpMethod method, String allowed) {
        return new ApiException(405, "method_not_allowed", method + " is not supported here; use " + allowed);
    }

    static Reply toReply(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof ApiException api) {
            return new Reply(api.httpStatus(), api.body(), new java.util.LinkedHashMap<>());
        }
        LOG.error("unexpected failure serving a request", e);
        return Reply.error(500, "internal", "the node failed to serve this request (" + e.getClass().getSimpleName()
                + "); it is logged on the node. Retry, or try another node");
    }

    void write(ChannelHandlerContext ctx, Reply reply, boolean close) {
        api.responded(reply.status());
        api.identified(reply);
        byte[] json;
        try {
            if (reply.body() instanceof Reply.Encoded encoded) {
                json = encoded.json();
            } else if (reply.body() instanceof Reply.Text text) {
                json = text.body().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            } else {
                json = Json.strict().writeValueAsBytes(reply.body());
            }
        } catch (Exception e) {
            LOG.error("could not encode a reply", e);
            reply = Reply.error(500, "internal", "the reply could not be encoded");
            json = ("{\"error\":\"internal\",\"message\":\"the reply could not be encoded\"}").getBytes();
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(reply.status()), Unpooled.wrappedBuffer(json));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, json.length);
        reply.headers().forEach((k, v) -> response.headers().set(k, v));
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(response);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("connection error from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
