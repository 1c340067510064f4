package io.registry.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real node process refuses bad configuration at once: exit code 2 and a one-line reason. */
class MainProcessTest {

    record Outcome(int exit, String stderr, String stdout) {
    }

    static Outcome run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        boolean done = process.waitFor(30, TimeUnit.SECONDS);
        if (!done) {
            process.destroyForcibly();
            throw new AssertionError("registry-node did not exit for " + List.of(args));
        }
        return new Outcome(process.exitValue(), new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static void assertRefused(Outcome outcome, String reason) {
        assertThat(outcome.exit()).as(outcome.stderr()).isEqualTo(2);
        assertThat(outcome.stderr().strip().lines()).hasSize(1);
        assertThat(outcome.stderr()).startsWith("registry-node: ").contains(reason).doesNotContain("Exception");
    }

    @Test
    void ownIdMissingFromPeers(@TempDir Path dir) throws Exception {
        assertRefused(run("--id", "n4", "--peers", "n1=127.0.0.1:1:2,n2=127.0.0.1:3:4", "--data-dir", dir.toString()),
                "not among the peers");
    }

    @Test
    void malformedPeerList(@TempDir Path dir) throws Exception {
        assertRefused(run("--id", "n1", "--peers", "n1@127.0.0.1", "--data-dir", dir.toString()),
                "ID=HOST:RAFT_PORT:HTTP_PORT");
    }

    @Test
    void portInUse(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertRefused(run("--id", "n1", "--peers", "n1=127.0.0.1:" + port + ":" + (port == 65535 ? 1 : port + 1),
                    "--bind", "127.0.0.1", "--data-dir", dir.toString()), "port " + port);
        }
    }

    @Test
    void dataDirNotWritable(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        assertRefused(run("--id", "n1", "--peers", "n1=127.0.0.1:1:2", "--data-dir", file.resolve("data").toString()),
                "not writable");
    }

    @Test
    void helpExplainsEveryFlagWithAnExample() throws Exception {
        Outcome help = run("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.stdout()).contains("--peers", "--data-dir", "--dev", "--join", "Example:");
    }
}
