package io.registry.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.registry.bench.cluster.ControlClient;
import io.registry.bench.cluster.LocalCluster;
import io.registry.bench.load.HttpLoad;
import io.registry.bench.scenario.Context;
import io.registry.bench.scenario.Scenario;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Entry point of {@code registry-bench}: parses, runs the scenario (on fresh local clusters), reports. */
public final class Main {
    private static final int LOCAL_NODES = 3;

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("jmh")) {
            org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        BenchOptions opts;
        try {
            opts = BenchOptions.parse(args, System.nanoTime() & 0xffffffffL);
        } catch (BenchOptions.UsageException e) {
            err.println("registry-bench: " + e.getMessage());
            return 2;
        }
        if (opts == null) {
            out.print(BenchOptions.USAGE);
            return 0;
        }
        err.println("registry-bench " + opts.scenario() + " (seed " + opts.seed() + ")");
        List<ScenarioResult> results = new ArrayList<>();
        try {
            int repeat = opts.intOr(opts.repeat(), 1);
            for (int run = 1; run <= repeat; run++) {
                ScenarioResult r = runOnce(opts, run, err).withRun(run);
                results.add(r);
                err.print(Table.render(List.of(r)));
            }
        } catch (BenchOptions.UsageException e) {
            err.println("registry-bench: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("registry-bench: " + opts.scenario() + " failed: " + e);
            e.printStackTrace(err);
            printResults(opts, results, out, err);
            return 1;
        }
        return printResults(opts, results, out, err) ? 0 : 1;
    }

    private static ScenarioResult runOnce(BenchOptions opts, int run, PrintStream log) throws Exception {
        ControlClient control = new ControlClient();
        Random random = new Random(opts.seed() + run);
        String tag = Long.toString(Math.abs(random.nextLong()) % 1_000_000, 36);
        try (HttpLoad load = new HttpLoad(opts.intOr(opts.threads(), 1))) {
            if (!opts.local()) {
                return Scenario.named(opts.scenario()).run(new Context(opts, opts.nodes(), null, control, load, random,
                        tag, log));
            }
            Path jar = nodeJar(opts);
            log.printf("run %d: starting a local %d-node cluster from %s%n", run, LOCAL_NODES, jar);
            List<String> javaOpts = Arrays.stream(opts.nodeJavaOpts().trim().split("\\s+")).filter(s -> !s.isEmpty())
                    .toList();
            try (LocalCluster cluster = LocalCluster.start(jar, javaOpts, opts.nodeArgs(), LOCAL_NODES, opts.keep(),
                    control, log)) {
                log.printf("run %d: nodes %s ready (data and logs in %s)%n", run, cluster.httpAddresses(), cluster.dir());
                return Scenario.named(opts.scenario()).run(new Context(opts, cluster.httpAddresses(), cluster, control,
                        load, random, tag, log));
            }
        }
    }

    /** --node-jar, else REGISTRY_NODE_JAR, else registry-node/target next to this module, else under the cwd. */
    static Path nodeJar(BenchOptions opts) {
        if (opts.nodeJar() != null) {
            return Path.of(opts.nodeJar());
        }
        String env = System.getenv("REGISTRY_NODE_JAR");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        Path relative = Path.of("registry-node", "target", "registry-node.jar");
        try {
            Path self = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // registry-bench/target/registry-bench.jar (or target/classes) -> the checkout root
            Path root = self.getParent() == null || self.getParent().getParent() == null ? null
                    : self.getParent().getParent().getParent();
            if (root != null && Files.isRegularFile(root.resolve(relative))) {
                return root.resolve(relative);
            }
        } catch (URISyntaxException | RuntimeException e) {
            // fall through to the working directory
        }
        return relative.toAbsolutePath();
    }

    private static boolean printResults(BenchOptions opts, List<ScenarioResult> results, PrintStream out,
                                        PrintStream err) {
        if (results.isEmpty()) {
            return true;
        }
        out.print(Table.render(results));
        if (opts.json() == null) {
            return true;
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("machine", machine());
        doc.put("seed", opts.seed());
        doc.put("results", results);
        try {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(Path.of(opts.json()).toFile(), doc);
            err.println("wrote " + opts.json());
            return true;
        } catch (IOException e) {
            err.println("registry-bench: cannot write " + opts.json() + ": " + e.getMessage());
            return false;
        }
    }

    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("processors", Runtime.getRuntime().availableProcessors());
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        return m;
    }
}
