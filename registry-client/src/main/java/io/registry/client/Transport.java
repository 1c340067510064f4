package io.registry.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.registry.api.Headers;
import io.registry.api.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * HTTP to a list of nodes with failover. A request goes to the node that last answered; a connection
 * error, a timeout, 502/503/504 or 429 moves it to the next node. After each full sweep of the list it
 * backs off (doubling, capped), and it gives up after {@code maxAttempts} or the retry budget, whichever
 * comes first, but not before every node was tried once (so a node that hangs until the request timeout
 * cannot use up the budget alone). Every other answer (2xx, 4xx) is final and returned to the caller as it is.
 */
final class Transport {
    private static final System.Logger LOG = System.getLogger(Transport.class.getName());

    /** An answer from one node. */
    record Reply(int status, String body, HttpHeaders headers, String node) {
        boolean ok() {
            return status >= 200 && status < 300;
        }

        <T> T as(Class<T> type) {
            try {
                return Json.lenient().readValue(body, type);
            } catch (JsonProcessingException e) {
                throw new RegistryException(status, "bad_response",
                        "node " + node + " answered with a body that is not a " + type.getSimpleName() + ": "
                                + abbreviate(body), e);
            }
        }

        /** The error this reply stands for, with the server's code and message when it sent a JSON error. */
        RegistryException error(String what) {
            String code = "http_" + status;
            String message = abbreviate(body);
            try {
                JsonNode tree = Json.lenient().readTree(body);
                if (tree != null && tree.hasNonNull("error")) {
                    code = tree.get("error").asText();
                    message = tree.path("message").asText(message);
                }
            } catch (JsonProcessingException | RuntimeException notJson) {
                // keep the raw body as the message
            }
            return new RegistryException(status, code,
                    what + ": " + message + " (HTTP " + status + " " + code + " from " + node + ")");
        }
    }

    /** One logical request; {@code oneSweep} limits retries to a single pass over the nodes without backoff. */
    record Call(String method, String path, byte[] body, Duration timeout, boolean oneSweep) {
    }

    /** 503s that are answers about the data, the same on every node: no point asking another. */
    private static final java.util.Set<String> FINAL_503_CODES = java.util.Set.of("no_healthy_instance");

    private final List<String> nodes;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final int maxAttempts;
    private final Duration retryBudget;
    private final Duration backoffBase;
    private final Duration backoffMax;
    private final AtomicInteger preferred = new AtomicInteger();
    private final Session session;

    Transport(List<String> nodes, HttpClient http, Duration requestTimeout, int maxAttempts, Duration retryBudget,
              Duration backoffBase, Duration backoffMax) {
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("the node list is empty: give at least one HOST:PORT");
        }
        this.nodes = List.copyOf(nodes);
        this.session = new Session(this.nodes);
        this.http = http;
        this.requestTimeout = requestTimeout;
        this.maxAttempts = maxAttempts;
        this.retryBudget = retryBudget;
        this.backoffBase = backoffBase;
        this.backoffMax = backoffMax;
    }

    List<String> nodes() {
        return nodes;
    }

    HttpClient http() {
        return http;
    }

    Duration requestTimeout() {
        return requestTimeout;
    }

    /** The node list position requests start from: the node that answered last. */
    int preferredIndex() {
        return Math.floorMod(preferred.get(), nodes.size());
    }

    static URI uri(String node, String path) {
        String base = node.contains("://") ? node : "http://" + node;
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return URI.create(base + path);
    }

    Reply get(String path) {
        return send(new Call("GET", path, null, requestTimeout, false));
    }

    Reply send(String method, String path, byte[] body) {
        return send(new Call(method, path, body, requestTimeout, false));
    }

    Reply sendToLeader(String method, String path, byte[] body) {
        return sendToLeader(new Call(method, path, body, requestTimeout, false));
    }

    /** The request header that keeps a read at or after everything this client has seen, if it has seen anything. */
    void addMinIndex(HttpRequest.Builder request) {
        long index = session.highestIndex();
        if (index > 0) {
            request.header(Headers.MIN_INDEX, Long.toString(index));
        }
    }

    Reply send(Call call) {
        return send(call, preferredIndex(), true);
    }

    /**
     * A write: to the leader when this client knows which of its nodes that is (Session), else as any request.
     * It fails over as any request does, and does not move where reads go.
     */
    Reply sendToLeader(Call call) {
        int target = session.writeTarget();
        return target < 0 ? send(call) : send(call, target, false);
    }

    private Reply send(Call call, int start, boolean sticky) {
        long deadline = System.nanoTime() + retryBudget.toNanos();
        int attemptsAllowed = call.oneSweep() ? Math.min(nodes.size(), maxAttempts) : maxAttempts;
        String lastFailure = "no attempt made";
        Throwable lastCause = null;
        for (int attempt = 0; attempt < attemptsAllowed; attempt++) {
            int index = (start + attempt) % nodes.size();
            String node = nodes.get(index);
            try {
                Reply reply = once(node, call);
                if (!retryable(reply)) {
                    if (sticky) {
                        preferred.set(index);
                    }
                    return reply;
                }
                lastFailure = reply.error(call.method() + " " + call.path()).getMessage();
                lastCause = null;
            } catch (IOException e) {
                lastFailure = "node " + node + " did not answer " + call.method() + " " + call.path() + ": " + describe(e);
                lastCause = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryException(RegistryException.UNREACHABLE, "interrupted",
                        "interrupted while calling " + node, e);
            }
            String failure = lastFailure;
            LOG.log(System.Logger.Level.DEBUG, () -> "failing over: " + failure);
            session.failed(node);
            preferred.compareAndSet(index, index + 1);
            boolean firstSweep = attempt + 1 < nodes.size();
            if (firstSweep) {
                continue; // every node gets one try, even if a hung one used up the budget
            }
            boolean sweepDone = (attempt + 1) % nodes.size() == 0;
            if (attempt + 1 < attemptsAllowed && sweepDone && !pause(attempt / nodes.size(), deadline)) {
                break;
            }
            if (System.nanoTime() >= deadline) {
                break;
            }
        }
        throw new RegistryException(RegistryException.UNREACHABLE, "unreachable",
                "no registry node could serve " + call.method() + " " + call.path() + " (tried " + nodes + "); last: "
                        + lastFailure, lastCause);
    }

    /** One attempt at one node, no failover: for questions only that node can answer. */
    Reply direct(String node, Call call) {
        try {
            return once(node, call);
        } catch (IOException e) {
            throw new RegistryException(RegistryException.UNREACHABLE, "unreachable",
                    "node " + node + " did not answer " + call.method() + " " + call.path() + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(RegistryException.UNREACHABLE, "interrupted", "interrupted while calling " + node, e);
        }
    }

    private Reply once(String node, Call call) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(node, call.path()))
                .timeout(call.timeout())
                .header("Accept", "application/json");
        if (call.body() != null) {
            request.header("Content-Type", "application/json")
                    .method(call.method(), HttpRequest.BodyPublishers.ofByteArray(call.body()));
        } else {
            request.method(call.method(), HttpRequest.BodyPublishers.noBody());
        }
        if (call.method().equals("GET")) {
            addMinIndex(request);
        }
        HttpResponse<String> response = http.send(request.build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        session.learn(node, response.statusCode(), response.headers());
        return new Reply(response.statusCode(), response.body(), response.headers(), node);
    }

    /** Busy, unavailable or cut off: another node (or this one a little later) may serve it. */
    static boolean retryable(Reply reply) {
        int status = reply.status();
        if (status == 503 && FINAL_503_CODES.contains(reply.error("").code())) {
            return false;
        }
        return status == 429 || status == 502 || status == 503 || status == 504;
    }

    /** Sleeps the backoff of the given round; false when the deadline leaves no room for another sweep. */
    private boolean pause(int round, long deadline) throws RegistryException {
        long delay = Math.min(backoffMax.toNanos(), backoffBase.toNanos() << Math.min(round, 20));
        long left = deadline - System.nanoTime();
        if (left <= delay) {
            return false;
        }
        try {
            Thread.sleep(delay / 1_000_000, (int) (delay % 1_000_000));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(RegistryException.UNREACHABLE, "interrupted", "interrupted while backing off", e);
        }
    }

    static String describe(Throwable e) {
        String name = e.getClass().getSimpleName();
        String message = e.getMessage();
        if (message == null && e.getCause() != null) {
            return describe(e.getCause());
        }
        return message == null ? name : name + " (" + message + ")";
    }

    static String abbreviate(String body) {
        if (body == null) {
            return "";
        }
        String flat = body.replaceAll("\\s+", " ").trim();
        return flat.length() <= 200 ? flat : flat.substring(0, 200) + "…";
    }
}
