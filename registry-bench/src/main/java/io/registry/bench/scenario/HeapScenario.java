package io.registry.bench.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import io.registry.bench.CpuMeter;
import io.registry.bench.ScenarioResult;
import io.registry.bench.cluster.ClusterView;
import io.registry.bench.cluster.ControlClient;
import io.registry.bench.cluster.LocalCluster;
import io.registry.bench.load.HttpLoad;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Registers {@code --instances} (100,000) over {@code --services} (100) services, then reads each node's
 * live heap: {@code jcmd PID GC.run} (a full collection) followed by {@code jcmd PID GC.heap_info}, whose
 * "used" is what survived. Also times {@code POST /v1/cluster/snapshot} on every node and a restart of one
 * follower from its snapshot (process start until it is ready and caught up).
 */
final class HeapScenario implements Scenario {
    static final int DEFAULT_INSTANCES = 100_000;
    static final int DEFAULT_SERVICES = 100;
    private static final Pattern USED = Pattern.compile("used (\\d+)K");
    private static final Duration CONVERGE = Duration.ofSeconds(120);

    @Override
    public ScenarioResult run(Context ctx) throws Exception {
        LocalCluster local = ctx.requireLocal("heap");
        int instances = ctx.opts().intOr(ctx.opts().instances(), DEFAULT_INSTANCES);
        int serviceCount = ctx.opts().intOr(ctx.opts().services(), DEFAULT_SERVICES);
        List<String> services = new ArrayList<>();
        for (int i = 0; i < serviceCount; i++) {
            services.add(ctx.service("heap" + i));
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("baselineHeapMB", heaps(local));
        ctx.log().printf("heap: registering %d instances in %d services%n", instances, serviceCount);
        CpuMeter cpu = ctx.cpu().start();
        HttpLoad.Outcome o = Support.registerAll(ctx, services, instances, Support.PLAIN_BODY);
        Map<String, Double> usage = cpu.stop();
        awaitTotal(ctx, instances);
        Map<String, Long> heap = heaps(local);
        extra.put("heapMB", heap);
        extra.put("worstHeapMB", heap.values().stream().mapToLong(Long::longValue).max().orElse(0));
        extra.put("snapshotMs", snapshots(ctx, local));
        restart(ctx, local, extra);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("concurrency", Support.SETUP_CONCURRENCY);
        params.put("instances", instances);
        params.put("services", serviceCount);
        return Support.result("heap", params, o, usage, extra);
    }

    /** Waits until every node counts {@code total} instances over all services. */
    private static void awaitTotal(Context ctx, int total) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        for (String node : ctx.nodes()) {
            long seen = -1;
            while (System.nanoTime() < deadline && seen != total) {
                seen = totalInstances(ctx.control(), node);
                if (seen != total) {
                    Thread.sleep(100);
                }
            }
            if (seen != total) {
                throw new IOException(node + " counts " + seen + " instances, expected " + total);
            }
        }
    }

    private static long totalInstances(ControlClient control, String node) throws IOException {
        var answer = control.tryGet(node, "/v1/services?consistency=stale");
        if (answer.isEmpty() || !answer.get().ok()) {
            return -1;
        }
        long sum = 0;
        for (JsonNode s : answer.get().json().path("services")) {
            sum += s.path("instances").asLong();
        }
        return sum;
    }

    private static Map<String, Long> heaps(LocalCluster local) throws IOException, InterruptedException {
        Map<String, Long> mb = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : local.pids().entrySet()) {
            mb.put(e.getKey(), heapAfterGcMB(e.getValue()));
        }
        return mb;
    }

    /** Live heap in MB after a full GC, via jcmd of the JDK running the bench. */
    static long heapAfterGcMB(long pid) throws IOException, InterruptedException {
        jcmd(pid, "GC.run");
        String info = jcmd(pid, "GC.heap_info");
        Long kb = parseUsedKb(info);
        if (kb == null) {
            throw new IOException("cannot read the heap of " + pid + " from jcmd GC.heap_info:\n" + info);
        }
        return Math.round(kb / 1024.0);
    }

    /** The first "used NK" of {@code GC.heap_info} output: the whole heap for G1, Parallel and Serial. */
    static Long parseUsedKb(String heapInfo) {
        Matcher m = USED.matcher(heapInfo);
        return m.find() ? Long.parseLong(m.group(1)) : null;
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("jcmd " + pid + " " + command + " failed: " + out);
        }
        return out;
    }

    private static Map<String, Long> snapshots(Context ctx, LocalCluster local) throws IOException {
        Map<String, Long> ms = new LinkedHashMap<>();
        for (LocalCluster.NodeSpec spec : local.specs()) {
            long start = System.nanoTime();
            var answer = ctx.control().post(spec.httpAddress(), "/v1/cluster/snapshot", "");
            long took = (System.nanoTime() - start) / 1_000_000;
            ms.put(spec.id(), answer.ok() ? took : -answer.status());
        }
        return ms;
    }

    /** Kills a follower, starts it again on its data, times until it is ready with the leader's applied index. */
    private static void restart(Context ctx, LocalCluster local, Map<String, Object> extra) throws Exception {
        ClusterView view = ctx.view();
        String follower = view.followerAddresses().get(0);
        int i = local.indexOfAddress(follower);
        long target = ctx.control().get(view.leaderAddress(), "/v1/cluster").json().path("appliedIndex").asLong();
        local.kill(i);
        long start = System.nanoTime();
        local.startNode(i);
        long deadline = start + CONVERGE.toNanos();
        long applied = -1;
        while (System.nanoTime() < deadline) {
            var health = ctx.control().tryGet(follower, "/v1/health");
            if (health.isPresent() && health.get().ok()) {
                applied = health.get().json().path("appliedIndex").asLong();
                if (applied >= target) {
                    break;
                }
            }
            Thread.sleep(20);
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        extra.put("restartedNode", local.specs().get(i).id());
        extra.put("restartToCaughtUpMs", applied >= target ? ms : -1);
        extra.put("restartedHeapMB", heapAfterGcMB(local.pid(i)));
        ctx.log().println("heap: last lines of the restarted node's log:\n"
                + LocalCluster.tail(local.specs().get(i).log(), 8));
    }
}
