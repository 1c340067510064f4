package io.registry.node.health;

import io.registry.api.CheckType;
import io.registry.api.Instance;
import io.registry.api.Status;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One non-blocking probe of an instance. HTTP: 2xx passing, 429 warning, anything else or a timeout
 * critical. TCP: a connection to address:port within the timeout is passing. Never throws; failures
 * are critical results.
 */
public class Prober {
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    public CompletableFuture<Status> probe(Instance instance) {
        Duration timeout = instance.check().timeout();
        CompletableFuture<Status> result = instance.check().type() == CheckType.HTTP
                ? http(instance.check().url(), timeout) : tcp(instance.address(), instance.port(), timeout);
        return result.completeOnTimeout(Status.CRITICAL, timeout.toMillis() + 200, TimeUnit.MILLISECONDS)
                .exceptionally(e -> Status.CRITICAL);
    }

    private CompletableFuture<Status> http(String url, Duration timeout) {
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                    .header("User-Agent", "registry-health-check").GET().build();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(Status.CRITICAL);
        }
        return http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).thenApply(r -> {
            int code = r.statusCode();
            if (code >= 200 && code < 300) {
                return Status.PASSING;
            }
            return code == 429 ? Status.WARNING : Status.CRITICAL;
        });
    }

    private static CompletableFuture<Status> tcp(String host, int port, Duration timeout) {
        CompletableFuture<Status> result = new CompletableFuture<>();
        AsynchronousSocketChannel channel;
        try {
            channel = AsynchronousSocketChannel.open();
        } catch (IOException e) {
            return CompletableFuture.completedFuture(Status.CRITICAL);
        }
        result.whenComplete((s, e) -> {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to do for a probe socket
            }
        });
        try {
            channel.connect(new InetSocketAddress(host, port), null, new CompletionHandler<Void, Void>() {
                @Override
                public void completed(Void v, Void attachment) {
                    result.complete(Status.PASSING);
                }

                @Override
                public void failed(Throwable e, Void attachment) {
                    result.complete(Status.CRITICAL);
                }
            });
        } catch (RuntimeException e) {
            result.complete(Status.CRITICAL);
        }
        return result.completeOnTimeout(Status.CRITICAL, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
