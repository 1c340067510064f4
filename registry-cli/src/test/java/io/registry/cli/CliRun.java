package io.registry.cli;

import io.registry.client.RegistryClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Runs the CLI in-process with captured output. The client is the CLI's own with a longer retry budget
 * (the test cluster shares two cores with other JVMs, and a loaded leader can take seconds to commit), or
 * a faster-failing one for tests of unreachable nodes.
 */
record CliRun(int exitCode, String out, String err) {

    static CliRun run(String... args) {
        return run(Map.of(), args);
    }

    static CliRun run(Map<String, String> env, String... args) {
        return start(env, CliRun::patientClient, args).result().join();
    }

    /** With a one-and-a-half-second retry budget, for tests of unreachable nodes. */
    static CliRun runFast(Map<String, String> env, String... args) {
        return start(env, CliRun::fastClient, args).result().join();
    }

    /** Runs in the background; the output can be read while it runs. */
    static Running start(String... args) {
        return start(Map.of(), CliRun::patientClient, args);
    }

    private static Running start(Map<String, String> env, Function<List<String>, RegistryClient> clients,
                                 String... args) {
        StringWriter out = new StringWriter(); // a StringBuffer inside: safe to read while written
        StringWriter err = new StringWriter();
        Context context = new Context(new PrintWriter(out, true), new PrintWriter(err, true), env, false, clients);
        CompletableFuture<CliRun> result = CompletableFuture.supplyAsync(() -> {
            int code = Cli.execute(context, args);
            return new CliRun(code, out.toString(), err.toString());
        });
        return new Running(out, err, result);
    }

    record Running(StringWriter outWriter, StringWriter errWriter, CompletableFuture<CliRun> result) {
        String out() {
            return outWriter.toString();
        }

        String err() {
            return errWriter.toString();
        }
    }

    static RegistryClient patientClient(List<String> nodes) {
        return RegistryClient.builder().nodes(nodes).retryBudget(Duration.ofSeconds(30)).build();
    }

    static RegistryClient fastClient(List<String> nodes) {
        return RegistryClient.builder().nodes(nodes).connectTimeout(Duration.ofSeconds(1))
                .retryBudget(Duration.ofMillis(1500)).backoff(Duration.ofMillis(50), Duration.ofMillis(500)).build();
    }

    List<String> outLines() {
        return out.lines().toList();
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
    }
}
