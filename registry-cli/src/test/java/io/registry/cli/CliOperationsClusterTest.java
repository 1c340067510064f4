package io.registry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.registry.api.Json;
import io.registry.api.Responses;
import io.registry.node.config.Peer;
import io.registry.node.testing.Await;
import io.registry.node.testing.SharedCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Leadership, membership and node loss while the CLI runs, against a real cluster. */
class CliOperationsClusterTest extends SharedCluster {
    private static final ObjectMapper JSON = Json.lenient();
    private static final Duration CONVERGE = Duration.ofSeconds(20);
    private static final Pattern FROM = Pattern.compile("\\(from (127\\.0\\.0\\.1:\\d+)\\)");

    @AfterEach
    void restartStoppedMembers() {
        cluster.restartStopped(List.of("n1", "n2", "n3"));
    }

    private static CliRun ok(String... args) {
        CliRun run = CliRun.run(args);
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.err()).as(run.toString()).isEmpty();
        return run;
    }

    @Test
    void leaderTransferMovesLeadershipToTheNamedMemberAndWaitsForIt() throws Exception {
        String before = cluster.leaderId();
        String target = cluster.followerIds().get(0);
        CliRun run = ok("leader", "transfer", target, "--addr", cluster.addressList());
        assertThat(run.out()).matches("leader is now " + target + " \\(term \\d+, was " + before + " in term \\d+\\)\\n");
        assertThat(cluster.leaderId()).isEqualTo(target);

        Responses.Cluster back = JSON.readValue(ok("leader", "transfer", before, "-o", "json", "--addr",
                cluster.addressList()).out(), Responses.Cluster.class);
        assertThat(back.leader()).isEqualTo(before);
    }

    @Test
    void transferringToTheCurrentLeaderSucceedsAtOnce() {
        String leader = cluster.leaderId();
        assertThat(ok("leader", "transfer", leader, "--addr", cluster.addressList()).out())
                .startsWith("leader is now " + leader);
    }

    @Test
    void transferringToANonMemberIsBadUsage() {
        CliRun run = CliRun.run("leader", "transfer", "n9", "--addr", cluster.addressList());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("registry: 'n9' is not a member; members are " + membersOf() + "\n");
    }

    private static List<String> membersOf() {
        try (var client = io.registry.client.RegistryClient.builder().nodes(cluster.httpAddresses()).build()) {
            return client.cluster().members().stream().map(Responses.Member::id).toList();
        }
    }

    @Test
    void commandsFailOverWhenTheFirstListedNodeIsDown() {
        String first = cluster.nodeIds().get(0);
        cluster.stop(first);
        CliRun status = ok("status", "--addr", cluster.addressList());
        assertThat(status.outLines().get(0)).matches("Leader\\s+n[23]");
        ok("register", "failover", "f-1", "--address", "10.0.0.1", "--port", "80", "--addr", cluster.addressList());
        assertThat(ok("instances", "failover", "--addr", cluster.addressList()).out()).contains("f-1");
    }

    @Test
    void commandsFailWithOneLineWhenNoListedNodeAnswers() {
        String id = cluster.followerIds().get(0);
        cluster.stop(id);
        CliRun run = CliRun.runFast(java.util.Map.of(), "services", "--addr", cluster.httpAddress(id));
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).hasLineCount(1)
                .startsWith("registry: no registry node could serve GET /v1/services (tried [" + cluster.httpAddress(id) + "])");
    }

    @Test
    void watchKeepsPrintingAfterTheNodeItStreamsFromStops() throws Exception {
        ok("register", "steady", "s-1", "--address", "10.0.0.1", "--port", "80", "--addr", cluster.addressList());
        CliRun.Running watch = CliRun.start("watch", "steady", "--max-events", "2", "--addr", cluster.addressList());
        Await.until(CONVERGE, "the first list", () -> FROM.matcher(watch.out()).find());
        Matcher m = FROM.matcher(watch.out());
        assertThat(m.find()).isTrue();
        String streamingFrom = m.group(1);
        cluster.stop(cluster.idServing(streamingFrom));
        ok("register", "steady", "s-2", "--address", "10.0.0.2", "--port", "80", "--addr", cluster.addressList());
        CliRun done = watch.result().get(CONVERGE.toSeconds(), TimeUnit.SECONDS);
        assertThat(done.exitCode()).as(done.toString()).isZero();
        List<String> headers = done.outLines().stream().filter(l -> l.startsWith("steady  index")).toList();
        assertThat(headers).hasSize(2);
        assertThat(headers.get(1)).contains("+s-2").doesNotContain(streamingFrom);
    }

    @Test
    void membersAddAndRemoveANodeEndToEnd() throws Exception {
        Peer joining = cluster.startJoining("n4");
        try {
            CliRun added = ok("members", "add", "n4", "--raft", joining.raftAddress(), "--http", joining.httpAddress(),
                    "--addr", cluster.addressList());
            assertThat(added.outLines().get(0)).isEqualTo("added member n4 (raft " + joining.raftAddress() + ", http "
                    + joining.httpAddress() + ")");
            assertThat(added.outLines()).anyMatch(l -> l.matches("n4\\s+\\w+\\s+" + Pattern.quote(joining.raftAddress())
                    + "\\s+" + Pattern.quote(joining.httpAddress()) + "\\b.*"));

            ok("register", "grown", "g-1", "--address", "10.0.0.1", "--port", "80", "--addr", cluster.addressList());
            Await.until(CONVERGE, "n4 to serve what the cluster stored", () -> {
                CliRun onN4 = CliRun.run("instances", "grown", "--consistency", "stale", "--addr", joining.httpAddress());
                return onN4.exitCode() == 0 && onN4.out().contains("g-1");
            });
            Responses.Cluster four = JSON.readValue(ok("status", "-o", "json", "--addr", cluster.addressList()).out(),
                    Responses.Cluster.class);
            assertThat(four.members()).extracting(Responses.Member::id).containsExactlyInAnyOrder("n1", "n2", "n3", "n4");

            Responses.Cluster afterRemove = JSON.readValue(ok("members", "remove", "n4", "-o", "json", "--addr",
                    String.join(",", cluster.httpAddress("n1"), cluster.httpAddress("n2"), cluster.httpAddress("n3")))
                    .out(), Responses.Cluster.class);
            assertThat(afterRemove.members()).extracting(Responses.Member::id).containsExactlyInAnyOrder("n1", "n2", "n3");
            List<String> table = ok("members", "--addr", cluster.httpAddress("n1")).outLines();
            assertThat(table).hasSize(4).noneMatch(l -> l.startsWith("n4 "));
        } finally {
            cluster.stop("n4");
            if (membersOf().contains("n4")) { // leave a three-node cluster for the other tests
                CliRun.run("members", "remove", "n4", "--addr", cluster.httpAddress("n1") + "," + cluster.httpAddress("n2")
                        + "," + cluster.httpAddress("n3"));
            }
        }
    }

    @Test
    void removingANonMemberFails() {
        CliRun run = CliRun.run("members", "remove", "n9", "--addr", cluster.addressList());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("registry: 'n9' is not a member; members are [");
    }

    @Test
    void addingAMemberWithAMalformedAddressIsBadUsage() {
        CliRun run = CliRun.run("members", "add", "n5", "--raft", "nohost", "--http", "127.0.0.1:1",
                "--addr", cluster.addressList());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("registry: --raft 'nohost' is not HOST:PORT (e.g. 10.0.0.4:7801)\n");
    }
}
