package io.registry.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.registry.api.ApiException;
import io.registry.api.Instance;
import io.registry.api.Json;
import io.registry.api.Registration;
import io.registry.api.Responses;
import io.registry.api.Validation;
import io.registry.client.balance.Chooser;
import io.registry.client.balance.Outstanding;
import io.registry.client.balance.Strategy;
import java.net.http.HttpClient;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Java client of the registry. Thread-safe; build one per process and close it on shutdown.
 *
 * <pre>{@code
 * try (RegistryClient registry = RegistryClient.builder().nodes("10.0.0.1:7701,10.0.0.2:7701").build()) {
 *     registry.register("payments", "payments-1",
 *             Registrations.of("10.0.0.5", 8080).ttl(Duration.ofSeconds(15)).build());
 *     try (Call call = registry.startCall("ledger")) {
 *         send(call.hostPort());
 *     }
 * }
 * }</pre>
 *
 * <p>Every call goes to the node that answered last and fails over to the next on a connection error,
 * timeout or 503 (see {@link Builder} for the bounds); 4xx answers are final and thrown as
 * {@link RegistryException}. {@link #discover} keeps a cached, watched view per service;
 * {@link #choose} balances over it without a network call.
 */
public final class RegistryClient implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RegistryClient.class.getName());
    private static final ObjectMapper WRITER = Json.lenient().copy()
            .setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL);

    /** The error code of a 404 for a path the node does not serve (as opposed to an unknown instance). */
    private static final String NO_ROUTE = "no_route";

    /** The default node list of a local three-node cluster (deploy/). */
    public static final String DEFAULT_NODES = "127.0.0.1:7701,127.0.0.1:7702,127.0.0.1:7703";

    private final Transport transport;
    private final Duration adminTimeout;
    private final Duration discoverTimeout;
    private final Duration watchIdleTimeout;
    private final Duration backoffBase;
    private final Duration backoffMax;
    private final Strategy defaultStrategy;
    private final long seed;
    private final Random random;
    private final Outstanding outstanding = new Outstanding();
    private final ScheduledExecutorService timer;
    private final ExecutorService heartbeatPool;
    private final ExecutorService notifier;
    private final ConcurrentHashMap<String, ServiceView> views = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Chooser> choosers = new ConcurrentHashMap<>();
    private final Set<ManagedRegistration> registrations = ConcurrentHashMap.newKeySet();
    private final Set<Watch> watches = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private RegistryClient(Builder b) {
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(b.connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.transport = new Transport(b.nodes, http, b.requestTimeout, b.maxAttempts, b.retryBudget,
                b.backoffBase, b.backoffMax);
        this.adminTimeout = b.adminTimeout;
        this.discoverTimeout = b.discoverTimeout;
        this.watchIdleTimeout = b.watchIdleTimeout;
        this.backoffBase = b.backoffBase;
        this.backoffMax = b.backoffMax;
        this.defaultStrategy = b.strategy;
        this.seed = b.seed != null ? b.seed : new SecureRandom().nextLong();
        this.random = new Random(seed);
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, daemon("registry-client-timer"));
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
        this.heartbeatPool = Executors.newFixedThreadPool(b.heartbeatThreads, daemon("registry-client-heartbeat"));
        this.notifier = Executors.newSingleThreadExecutor(daemon("registry-client-notifier"));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Splits a comma-separated node list ("h1:7701, h2:7701"), dropping blanks. */
    public static List<String> parseNodes(String commaSeparated) {
        List<String> nodes = new ArrayList<>();
        for (String part : commaSeparated.split(",")) {
            if (!part.isBlank()) {
                nodes.add(part.trim());
            }
        }
        return nodes;
    }

    public List<String> nodes() {
        return transport.nodes();
    }

    /** The node the next request goes to first: the one that answered last. */
    public String currentNode() {
        return transport.nodes().get(transport.preferredIndex());
    }

    /** The seed of the client's random choices (random, weighted, least-outstanding); print it to replay. */
    public long seed() {
        return seed;
    }

    // ---------------------------------------------------------------- registration

    /**
     * Registers an instance and keeps it registered until the returned handle or this client is closed:
     * heartbeats at ttl/3 for a ttl check, re-registration after a heartbeat 404, deregistration on close.
     */
    public ManagedRegistration register(String service, String id, Registration registration) {
        ensureOpen();
        Responses.Registered registered = registerOnce(service, id, registration);
        ManagedRegistration handle = new ManagedRegistration(this, service, id, registration, registered);
        registrations.add(handle);
        Duration period = ManagedRegistration.heartbeatPeriod(registration);
        if (period != null) {
            long ms = Math.max(1, period.toMillis());
            handle.scheduled(timer.scheduleAtFixedRate(() -> heartbeatPool.execute(handle::beat), ms, ms,
                    TimeUnit.MILLISECONDS));
        }
        return handle;
    }

    /** Registers (or replaces) an instance once: no heartbeats, no deregistration on close. */
    public Responses.Registered registerOnce(String service, String id, Registration registration) {
        validate(() -> Validation.instance(service, id, registration));
        Transport.Reply reply = transport.sendToLeader("PUT", instancePath(service, id), json(registration));
        return expect(reply, Responses.Registered.class, "register " + service + "/" + id);
    }

    /**
     * Renews the lease of a ttl instance; false if the registry does not know it (register it again). A
     * node without the heartbeat endpoint (404 {@code no_route}) is an error, not an unknown instance.
     */
    public boolean heartbeat(String service, String id) {
        Transport.Reply reply = transport.send("PUT", instancePath(service, id) + "/heartbeat", null);
        if (reply.status() == 404 && !NO_ROUTE.equals(reply.error("").code())) {
            return false;
        }
        if (!reply.ok()) {
            throw reply.error("heartbeat " + service + "/" + id);
        }
        return true;
    }

    /** Removes an instance; the index of the removal, or empty if the registry did not know the instance. */
    public OptionalLong deregister(String service, String id) {
        validate(() -> {
            Validation.serviceName(service);
            Validation.instanceId(id);
        });
        Transport.Reply reply = transport.sendToLeader("DELETE", instancePath(service, id), null);
        if (reply.status() == 404) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(expect(reply, Responses.Indexed.class, "deregister " + service + "/" + id).index());
    }

    void forget(ManagedRegistration handle) {
        registrations.remove(handle);
    }

    // ---------------------------------------------------------------- queries

    public Responses.Services services() {
        return expect(transport.get("/v1/services"), Responses.Services.class, "list services");
    }

    public Responses.Instances instances(String service) {
        return instances(service, Query.all());
    }

    /** One query; with {@link Query#blocking} it waits up to the query's wait for a change. */
    public Responses.Instances instances(String service, Query query) {
        validate(() -> Validation.serviceName(service));
        Duration timeout = transport.requestTimeout().plus(query.holdTime());
        String path = "/v1/services/" + service + "/instances" + query.toQueryString();
        Transport.Reply reply = transport.send(new Transport.Call("GET", path, null, timeout, false));
        return expect(reply, Responses.Instances.class, "list instances of " + service);
    }

    /**
     * Server-side load balancing: the answering node picks one healthy instance. Throws a
     * {@link RegistryException} with status 503 and code {@code no_healthy_instance} when there is none.
     */
    public Responses.Picked pick(String service, Strategy strategy) {
        validate(() -> Validation.serviceName(service));
        String path = "/v1/services/" + service + "/pick?strategy=" + strategy.wire();
        return expect(transport.get(path), Responses.Picked.class, "pick an instance of " + service);
    }

    // ---------------------------------------------------------------- discovery and balancing

    /**
     * The cached view of a service, kept fresh by a watch; the same view for every call with the same
     * service. The first call waits (up to the builder's discover timeout) for the first list.
     */
    public ServiceView discover(String service) {
        ensureOpen();
        validate(() -> Validation.serviceName(service));
        ServiceView view = views.computeIfAbsent(service, s -> {
            ServiceView v = new ServiceView(s, notifier, outstanding);
            Watch w = newWatch(s, v.watchListener());
            v.attach(w);
            w.start();
            return v;
        });
        if (!view.isLoaded() && !view.awaitLoaded(discoverTimeout) && view.firstWarning()) {
            LOG.log(System.Logger.Level.WARNING, () -> "no instance list of " + service + " within "
                    + discoverTimeout.toMillis() + " ms; the view stays empty until a node answers");
        }
        return view;
    }

    /** Subscribes to changes of a discovered service (see {@link ServiceView#onChange}). */
    public Subscription onChange(String service, ChangeListener listener) {
        return discover(service).onChange(listener);
    }

    /** One healthy instance by the client's default strategy, from the cached view; empty if none. */
    public Optional<Instance> choose(String service) {
        return choose(service, defaultStrategy);
    }

    public Optional<Instance> choose(String service, Strategy strategy) {
        List<Instance> healthy = discover(service).healthy();
        return choosers.computeIfAbsent(service + '|' + strategy.wire(),
                k -> strategy.newChooser(random, outstanding)).choose(healthy);
    }

    /** Chooses an instance and counts a call to it as in flight until the returned call is closed. */
    public Call startCall(String service) {
        return startCall(service, defaultStrategy);
    }

    public Call startCall(String service, Strategy strategy) {
        Instance instance = choose(service, strategy).orElseThrow(() -> new RegistryException(503,
                "no_healthy_instance", "service '" + service + "' has no passing or warning instance"));
        return new Call(instance, outstanding);
    }

    /** Counts a call to an instance chosen some other way; close the returned call when it ends. */
    public Call track(Instance instance) {
        return new Call(Objects.requireNonNull(instance, "instance"), outstanding);
    }

    public Outstanding outstanding() {
        return outstanding;
    }

    /**
     * A raw watch of a service: {@code listener} gets the full list on every (re)connect and change. For a
     * cache, use {@link #discover}; this is for tools that print changes as they come.
     */
    public Watch watch(String service, WatchListener listener) {
        ensureOpen();
        validate(() -> Validation.serviceName(service));
        Watch w = newWatch(service, listener);
        watches.add(w);
        w.start();
        return w;
    }

    private Watch newWatch(String service, WatchListener listener) {
        return new Watch(service, transport, listener, timer, watchIdleTimeout, backoffBase, backoffMax);
    }

    // ---------------------------------------------------------------- cluster

    /** The cluster as the answering node sees it (any node). */
    public Responses.Cluster cluster() {
        return expect(transport.get("/v1/cluster"), Responses.Cluster.class, "read the cluster state");
    }

    /**
     * The cluster as the leader sees it: only the leader knows every member's match index and last contact.
     * Asks any node, then the leader it names; if the leader cannot be asked, the first answer is returned.
     */
    public Responses.Cluster clusterFromLeader() {
        Transport.Reply first = transport.get("/v1/cluster");
        Responses.Cluster cluster = expect(first, Responses.Cluster.class, "read the cluster state");
        String leaderHttp = cluster.members().stream().filter(m -> m.id().equals(cluster.leader()))
                .map(Responses.Member::httpAddress).findFirst().orElse(null);
        if (leaderHttp == null || sameNode(leaderHttp, first.node())) {
            return cluster;
        }
        try {
            Transport.Reply fromLeader = transport.direct(leaderHttp,
                    new Transport.Call("GET", "/v1/cluster", null, transport.requestTimeout(), true));
            return fromLeader.ok() ? fromLeader.as(Responses.Cluster.class) : cluster;
        } catch (RegistryException unreachable) {
            return cluster;
        }
    }

    private static boolean sameNode(String httpAddress, String node) {
        return Transport.uri(httpAddress, "/").equals(Transport.uri(node, "/"));
    }

    /** The health of whichever node answers first. */
    public Responses.Health health() {
        return expect(transport.get("/v1/health"), Responses.Health.class, "read node health");
    }

    /** Adds a voting member; returns once the cluster accepted the new configuration. */
    public void addMember(String id, String raftAddress, String httpAddress) {
        byte[] body = json(new Responses.AddMember(id, raftAddress, httpAddress));
        Transport.Reply reply = transport.send(new Transport.Call("POST", "/v1/cluster/members", body,
                adminTimeout, false));
        expectOk(reply, "add member " + id);
    }

    public void removeMember(String id) {
        Transport.Reply reply = transport.send(new Transport.Call("DELETE", "/v1/cluster/members/" + id, null,
                adminTimeout, false));
        expectOk(reply, "remove member " + id);
    }

    public void transferLeader(String to) {
        byte[] body = json(new Responses.TransferLeader(to));
        Transport.Reply reply = transport.send(new Transport.Call("POST", "/v1/cluster/leader", body,
                adminTimeout, false));
        expectOk(reply, "transfer leadership to " + to);
    }

    public Responses.Snapshot snapshot() {
        Transport.Reply reply = transport.send(new Transport.Call("POST", "/v1/cluster/snapshot", null,
                adminTimeout, false));
        return expect(reply, Responses.Snapshot.class, "take a snapshot");
    }

    // ---------------------------------------------------------------- lifecycle

    /** Deregisters every instance registered through {@link #register}, stops watches and threads. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ManagedRegistration r : List.copyOf(registrations)) {
            r.close();
        }
        views.values().forEach(ServiceView::close);
        watches.forEach(Watch::close);
        timer.shutdownNow();
        heartbeatPool.shutdownNow();
        notifier.shutdown();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the registry client is closed");
        }
    }

    private static String instancePath(String service, String id) {
        return "/v1/services/" + service + "/instances/" + id;
    }

    private static byte[] json(Object body) {
        try {
            return WRITER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + body + " as JSON", e);
        }
    }

    private static <T> T expect(Transport.Reply reply, Class<T> type, String what) {
        if (!reply.ok()) {
            throw reply.error(what);
        }
        return reply.as(type);
    }

    private static void expectOk(Transport.Reply reply, String what) {
        if (!reply.ok()) {
            throw reply.error(what);
        }
    }

    /** Client-side validation with the server's rules and messages: a 400 without the round trip. */
    private static void validate(Runnable check) {
        try {
            check.run();
        } catch (ApiException e) {
            throw new RegistryException(e.httpStatus(), e.code(), e.getMessage());
        }
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Configures a client. Only the node list is required. */
    public static final class Builder {
        private List<String> nodes = List.of();
        private Duration connectTimeout = Duration.ofSeconds(2);
        private Duration requestTimeout = Duration.ofSeconds(10);
        private Duration adminTimeout = Duration.ofSeconds(60);
        private Duration retryBudget = Duration.ofSeconds(6);
        private int maxAttempts = 30;
        private Duration backoffBase = Duration.ofMillis(100);
        private Duration backoffMax = Duration.ofSeconds(1);
        private Duration discoverTimeout = Duration.ofSeconds(5);
        private Duration watchIdleTimeout = Duration.ofSeconds(45);
        private int heartbeatThreads = 2;
        private Strategy strategy = Strategy.ROUND_ROBIN;
        private Long seed;

        private Builder() {
        }

        /** Node HTTP addresses, "HOST:PORT" (or full http:// URLs); a single argument may be comma-separated. */
        public Builder nodes(String... addresses) {
            List<String> all = new ArrayList<>();
            Arrays.stream(addresses).forEach(a -> all.addAll(parseNodes(a)));
            return nodes(all);
        }

        public Builder nodes(List<String> addresses) {
            if (addresses.isEmpty()) {
                throw new IllegalArgumentException("the node list is empty: give at least one HOST:PORT");
            }
            this.nodes = List.copyOf(addresses);
            return this;
        }

        /** Time to open a TCP connection to one node before trying the next (default 2s). */
        public Builder connectTimeout(Duration d) {
            this.connectTimeout = positive(d, "connectTimeout");
            return this;
        }

        /** Time one node has to answer one request before the next node is tried (default 10s). */
        public Builder requestTimeout(Duration d) {
            this.requestTimeout = positive(d, "requestTimeout");
            return this;
        }

        /** Time one node has to answer a membership change or snapshot (default 60s). */
        public Builder adminTimeout(Duration d) {
            this.adminTimeout = positive(d, "adminTimeout");
            return this;
        }

        /** Total time one call may spend failing over between nodes, waits included (default 6s). */
        public Builder retryBudget(Duration d) {
            this.retryBudget = positive(d, "retryBudget");
            return this;
        }

        /** Most attempts of one call across all nodes (default 30). */
        public Builder maxAttempts(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1");
            }
            this.maxAttempts = n;
            return this;
        }

        /** Wait after a sweep of all nodes failed, doubled each sweep up to {@code max} (100ms to 1s). */
        public Builder backoff(Duration base, Duration max) {
            this.backoffBase = positive(base, "backoff base");
            this.backoffMax = positive(max, "backoff max");
            return this;
        }

        /** How long the first {@link #discover} of a service waits for its first list (default 5s). */
        public Builder discoverTimeout(Duration d) {
            this.discoverTimeout = Objects.requireNonNull(d, "discoverTimeout");
            return this;
        }

        /** A watch stream silent (no event, no keepalive) this long is dropped and reopened (default 45s). */
        public Builder watchIdleTimeout(Duration d) {
            this.watchIdleTimeout = positive(d, "watchIdleTimeout");
            return this;
        }

        public Builder heartbeatThreads(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("heartbeatThreads must be at least 1");
            }
            this.heartbeatThreads = n;
            return this;
        }

        /** The strategy of {@link #choose(String)} and {@link #startCall(String)} (default round-robin). */
        public Builder strategy(Strategy s) {
            this.strategy = Objects.requireNonNull(s, "strategy");
            return this;
        }

        /** Seeds the random choices so that a run can be replayed (default: a random seed, see {@link #seed()}). */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        public RegistryClient build() {
            if (nodes.isEmpty()) {
                throw new IllegalStateException("no registry nodes given: call nodes(\"HOST:PORT,...\")");
            }
            return new RegistryClient(this);
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be a positive duration");
            }
            return d;
        }
    }
}
