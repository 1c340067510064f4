package io.registry.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    private static final String PEERS = "n1=127.0.0.1:7801:7701,n2=127.0.0.1:7802:7702,n3=127.0.0.1:7803:7703";

    @Test
    void flagsBeatEnvironmentWhichBeatsTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("node.properties");
        Files.writeString(file, "peers=" + PEERS + "\nmax-stale=5s\nelection-timeout-min=300ms\n");
        NodeConfig config = ConfigLoader.load(new String[] {"--id", "n2", "--config", file.toString(),
                "--max-stale=1s"}, Map.of("REGISTRY_MAX_STALE", "3s", "REGISTRY_DATA_DIR", "/tmp/x"));
        assertThat(config.id()).isEqualTo("n2");
        assertThat(config.peers()).hasSize(3);
        assertThat(config.self().httpPort()).isEqualTo(7702);
        assertThat(config.maxStale()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.electionTimeoutMin()).isEqualTo(Duration.ofMillis(300));
        assertThat(config.dataDir()).isEqualTo(Path.of("/tmp/x"));
    }

    @Test
    void devModeNeedsNoOtherFlags() {
        NodeConfig config = ConfigLoader.load(new String[] {"--dev"}, Map.of());
        assertThat(config.id()).isEqualTo("n1");
        assertThat(config.self().httpAddress()).isEqualTo("127.0.0.1:7701");
        assertThat(config.bind()).isEqualTo("127.0.0.1");
    }

    @Test
    void httpThreadsDefaultToHalfTheCoresAndAFlagSetsThemButNotBelowOne() {
        assertThat(ConfigLoader.load(new String[] {"--dev"}, Map.of()).httpThreads())
                .isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
        assertThat(ConfigLoader.load(new String[] {"--dev", "--http-threads", "3"}, Map.of()).httpThreads()).isEqualTo(3);
        assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--dev", "--http-threads", "0"}, Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--http-threads");
    }

    @Test
    void helpReturnsNull() {
        assertThat(ConfigLoader.load(new String[] {"--help"}, Map.of())).isNull();
    }

    @Test
    void ownIdMissingFromPeersIsRefusedWithAHint() {
        assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--id", "n9", "--peers", PEERS}, Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("n9").hasMessageContaining("--peers");
    }

    @Test
    void malformedPeerListIsRefusedWithTheExpectedForm() {
        assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--id", "n1", "--peers", "n1=localhost:7801"},
                Map.of())).isInstanceOf(ConfigException.class).hasMessageContaining("ID=HOST:RAFT_PORT:HTTP_PORT");
        assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--id", "n1", "--peers", "n1=h:1:99999"},
                Map.of())).isInstanceOf(ConfigException.class).hasMessageContaining("99999");
    }

    @Test
    void unknownFlagAndMissingValueAreRefused() {
        assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--colour", "red"}, Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--colour");
        assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--id"}, Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("needs a value");
    }

    @Test
    void badDurationNamesTheFlag() {
        assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--dev", "--max-stale", "2 seconds"}, Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--max-stale");
    }

    @Test
    void preflightRefusesAPortInUseAndAnUnwritableDataDir(@TempDir Path dir) throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            NodeConfig config = NodeConfig.of("n1", java.util.List.of(new Peer("n1", "127.0.0.1", port, port + 1 > 65535
                    ? port - 1 : port + 1)), dir.resolve("data")).withBind("127.0.0.1");
            assertThatThrownBy(() -> Preflight.check(config)).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("port " + port);
        }
        Path file = dir.resolve("a-file");
        Files.writeString(file, "not a directory");
        assertThatThrownBy(() -> Preflight.dataDirWritable(file.resolve("data")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not writable");
    }
}
