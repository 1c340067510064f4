package io.registry.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    @Test
    void parsesScenarioAndOptionsInEitherForm() {
        BenchOptions o = BenchOptions.parse(new String[] {"heartbeat", "--concurrency", "32", "--duration=20s",
                "--instances", "10000", "--target", "leader", "--json", "out.json", "--keep"}, 7);
        assertThat(o.scenario()).isEqualTo("heartbeat");
        assertThat(o.concurrency()).isEqualTo(32);
        assertThat(o.duration()).isEqualTo(Duration.ofSeconds(20));
        assertThat(o.instances()).isEqualTo(10_000);
        assertThat(o.target()).isEqualTo("leader");
        assertThat(o.json()).isEqualTo("out.json");
        assertThat(o.keep()).isTrue();
        assertThat(o.seed()).isEqualTo(7);
        assertThat(o.local()).isTrue();
    }

    @Test
    void unsetOptionsStayNullSoEachScenarioPicksItsDefault() {
        BenchOptions o = BenchOptions.parse(new String[] {"register"}, 1);
        assertThat(o.concurrency()).isNull();
        assertThat(o.intOr(o.concurrency(), 64)).isEqualTo(64);
        assertThat(o.durationOr(o.warmup(), Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.nodeJavaOpts()).isEqualTo(BenchOptions.DEFAULT_NODE_JAVA_OPTS);
    }

    @Test
    void nodeArgsRepeatAndNodesSplit() {
        BenchOptions o = BenchOptions.parse(new String[] {"failover", "--node-arg=--election-timeout-min=150ms",
                "--node-arg", "--election-timeout-max=300ms", "--nodes", "127.0.0.1:7701, 127.0.0.1:7702"}, 1);
        assertThat(o.nodeArgs()).containsExactly("--election-timeout-min=150ms", "--election-timeout-max=300ms");
        assertThat(o.nodes()).containsExactly("127.0.0.1:7701", "127.0.0.1:7702");
        assertThat(o.local()).isFalse();
    }

    @Test
    void helpReturnsNull() {
        assertThat(BenchOptions.parse(new String[] {"--help"}, 1)).isNull();
    }

    @Test
    void badCommandLinesSayWhatIsWrong() {
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {}, 1)).hasMessageContaining("name a scenario");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"fly"}, 1)).hasMessageContaining("unknown scenario");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"register", "--bogus"}, 1))
                .hasMessageContaining("unknown option --bogus");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"register", "--concurrency", "0"}, 1))
                .hasMessageContaining("≥ 1");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"register", "--duration", "10"}, 1))
                .hasMessageContaining("--duration");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"register", "--target", "some"}, 1))
                .hasMessageContaining("--target");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"register", "--nodes", "localhost"}, 1))
                .hasMessageContaining("HOST:PORT");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"register", "--duration"}, 1))
                .hasMessageContaining("needs a value");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"register", "heap"}, 1))
                .hasMessageContaining("one scenario");
    }

    @Test
    void everyScenarioNameIsAccepted() {
        for (String s : BenchOptions.SCENARIOS) {
            assertThat(BenchOptions.parse(new String[] {s}, 1).scenario()).isEqualTo(s);
        }
        assertThat(BenchOptions.SCENARIOS).containsAll(List.of("register", "heartbeat", "discover-stale",
                "discover-linearizable", "watch-latency", "failover"));
    }
}
