package io.registry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Parsing, help and exit codes: everything that needs no cluster. */
class CliUsageTest {
    private static final List<List<String>> COMMANDS = List.of(List.of(), List.of("status"), List.of("members"),
            List.of("members", "add"), List.of("members", "remove"), List.of("leader"), List.of("leader", "transfer"),
            List.of("snapshot"), List.of("services"), List.of("instances"), List.of("register"),
            List.of("deregister"), List.of("watch"));

    private static String unusedAddress() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return "127.0.0.1:" + s.getLocalPort();
        }
    }

    @Test
    void everyCommandHasHelpWithAnExample() {
        for (List<String> command : COMMANDS) {
            String[] args = java.util.stream.Stream.concat(command.stream(), java.util.stream.Stream.of("--help"))
                    .toArray(String[]::new);
            CliRun run = CliRun.run(args);
            assertThat(run.exitCode()).as("%s --help", command).isZero();
            assertThat(run.out()).as("%s --help", command).contains("Usage: registry").containsPattern("Examples?:")
                    .contains("--addr").contains("--output");
            assertThat(run.err()).isEmpty();
            List<String> lines = run.outLines();
            int examples = lines.indexOf(lines.stream().filter(l -> l.matches("Examples?:")).findFirst().orElseThrow());
            assertThat(lines.subList(examples + 1, lines.size())).as("%s examples, unwrapped", command)
                    .isNotEmpty().allMatch(l -> l.startsWith("  "));
        }
    }

    @Test
    void everyCommandIsCoveredByTheHelpCheck() {
        CommandLine cl = Cli.commandLine(new RegistryCommand(new Context(new java.io.PrintWriter(new java.io.StringWriter()), new java.io.PrintWriter(new java.io.StringWriter()), Map.of(), false, null)));
        List<String> all = new java.util.ArrayList<>();
        collect(cl, List.of(), all);
        List<String> covered = COMMANDS.stream().map(c -> String.join(" ", c)).toList();
        assertThat(covered).containsAll(all);
    }

    private static void collect(CommandLine cl, List<String> path, List<String> into) {
        into.add(String.join(" ", path));
        cl.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help")) {
                List<String> next = new java.util.ArrayList<>(path);
                next.add(name);
                collect(sub, next, into);
            }
        });
    }

    @Test
    void noCommandIsBadUsage() {
        CliRun run = CliRun.run();
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("registry: missing command").hasLineCount(1);
    }

    @Test
    void anUnknownCommandIsBadUsageWithOneLineOnStderr() {
        CliRun run = CliRun.run("statuz");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).hasLineCount(1).startsWith("registry: ").contains("statuz");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aMissingArgumentIsBadUsage() {
        CliRun run = CliRun.run("deregister", "payments");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).hasLineCount(1).contains("ID").contains("registry deregister --help");
    }

    @Test
    void ttlAndHttpCheckAreMutuallyExclusive() {
        CliRun run = CliRun.run("register", "web", "w1", "--address", "h", "--port", "80", "--ttl", "15s",
                "--http-check", "http://h/health");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).hasLineCount(1).contains("mutually exclusive");
    }

    @Test
    void aMalformedDurationIsBadUsage() throws IOException {
        CliRun run = CliRun.run("register", "web", "w1", "--address", "h", "--port", "80", "--ttl", "15 seconds",
                "--addr", unusedAddress());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).hasLineCount(1).contains("--ttl").contains("15s");
    }

    @Test
    void anInvalidServiceNameIsBadUsageBeforeAnyRequest() throws IOException {
        CliRun run = CliRun.run("instances", "Not_A_Service", "--addr", unusedAddress());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).hasLineCount(1).contains("service name 'Not_A_Service'");
    }

    @Test
    void aMalformedAddressIsBadUsage() {
        CliRun run = CliRun.run("status", "--addr", "localhost");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("registry: --addr: 'localhost' is not HOST:PORT (e.g. 127.0.0.1:7701)\n");
    }

    @Test
    void anUnknownOutputFormatIsBadUsage() {
        CliRun run = CliRun.run("status", "-o", "yaml");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).hasLineCount(1).contains("yaml");
    }

    @Test
    void unreachableNodesFailTheOperationWithOneLine() throws IOException {
        String a = unusedAddress();
        String b = unusedAddress();
        CliRun run = CliRun.runFast(Map.of(), "status", "--addr", a + "," + b);
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).hasLineCount(1).startsWith("registry: no registry node could serve GET /v1/cluster")
                .contains(a).contains(b);
        assertThat(run.out()).isEmpty();
    }

    @Test
    void registryAddrIsUsedWhenAddrIsAbsentAndAddrWins() throws IOException {
        String fromEnv = unusedAddress();
        String fromFlag = unusedAddress();
        CliRun envOnly = CliRun.runFast(Map.of("REGISTRY_ADDR", fromEnv), "services");
        assertThat(envOnly.err()).contains(fromEnv);
        CliRun both = CliRun.runFast(Map.of("REGISTRY_ADDR", fromEnv), "services", "--addr", fromFlag);
        assertThat(both.err()).contains(fromFlag).doesNotContain(fromEnv);
    }

    @Test
    void globalOptionsWorkBeforeAndAfterTheCommand() throws IOException {
        String addr = unusedAddress();
        CliRun before = CliRun.runFast(Map.of(), "--addr", addr, "-o", "json", "services");
        CliRun after = CliRun.runFast(Map.of(), "services", "--addr", addr, "-o", "json");
        assertThat(before.err()).contains(addr);
        assertThat(after.err()).contains(addr);
    }

    @Test
    void versionPrints() {
        CliRun run = CliRun.run("--version");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("registry ");
    }
}
