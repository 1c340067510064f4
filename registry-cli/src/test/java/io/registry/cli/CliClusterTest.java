package io.registry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.registry.api.CheckType;
import io.registry.api.Instance;
import io.registry.api.Json;
import io.registry.api.Responses;
import io.registry.api.Status;
import io.registry.node.testing.Await;
import io.registry.node.testing.LocalCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every read and instance command, in table and JSON form, against a real three-node cluster that stays
 * whole. Membership, leadership and node loss are in {@link CliOperationsClusterTest}.
 */
class CliClusterTest {
    private static final ObjectMapper JSON = Json.lenient();
    private static final Duration CONVERGE = Duration.ofSeconds(10);
    private static LocalCluster cluster;
    private static String addr;

    @BeforeAll
    static void startCluster() {
        cluster = LocalCluster.start(3);
        addr = cluster.addressList();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static CliRun ok(String... args) {
        CliRun run = CliRun.run(withAddr(args));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.err()).as(run.toString()).isEmpty();
        return run;
    }

    private static String[] withAddr(String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--addr";
        all[args.length + 1] = addr;
        return all;
    }

    private static <T> T json(CliRun run, Class<T> type) throws Exception {
        return JSON.readValue(run.out(), type);
    }

    @Test
    void statusShowsLeaderIndicesAndEveryMember() throws Exception {
        String leader = cluster.leaderId();
        List<String> lines = ok("status").outLines();
        assertThat(lines.get(0)).matches("Leader\\s+" + leader);
        assertThat(lines).anyMatch(l -> l.matches("Term\\s+\\d+"))
                .anyMatch(l -> l.matches("Commit index\\s+\\d+"))
                .anyMatch(l -> l.matches("Applied index\\s+\\d+"))
                .anyMatch(l -> l.matches("Protection\\s+off"))
                .anyMatch(l -> l.matches("Members\\s+3"));
        int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("ID ")).findFirst().orElseThrow());
        assertThat(lines.get(header)).matches("ID\\s+ROLE\\s+RAFT ADDRESS\\s+HTTP ADDRESS\\s+MATCH INDEX\\s+LAG\\s+LAST CONTACT");
        List<String> rows = lines.subList(header + 1, lines.size());
        assertThat(rows).hasSize(3);
        for (String id : cluster.nodeIds()) {
            String role = id.equals(leader) ? "leader" : "follower";
            assertThat(rows).anyMatch(r -> r.matches(id + "\\s+" + role + "\\s+127\\.0\\.0\\.1:\\d+\\s+"
                    + java.util.regex.Pattern.quote(cluster.httpAddress(id)) + "\\b.*"));
        }
        assertAligned(lines.subList(header, lines.size()), "ROLE", "RAFT ADDRESS", "HTTP ADDRESS");

        Responses.Cluster asJson = json(ok("status", "-o", "json"), Responses.Cluster.class);
        assertThat(asJson.leader()).isEqualTo(leader);
        assertThat(asJson.members()).extracting(Responses.Member::id).containsExactlyInAnyOrderElementsOf(cluster.nodeIds());
    }

    @Test
    void membersListsTheVotingMembers() throws Exception {
        List<String> lines = ok("members").outLines();
        assertThat(lines.get(0)).startsWith("ID  ");
        assertThat(lines.subList(1, lines.size())).hasSize(3).allMatch(l -> l.matches("n[1-3]\\s+(leader|follower)\\s.*"));
        Responses.Cluster asJson = json(ok("members", "--output", "json"), Responses.Cluster.class);
        assertThat(asJson.members()).hasSize(3);
    }

    @Test
    void leaderPrintsTheCurrentLeader() throws Exception {
        assertThat(ok("leader").out()).matches(cluster.leaderId() + " \\(term \\d+\\)\\n");
        assertThat(JSON.readTree(ok("leader", "-o", "json").out()).get("leader").asText()).isEqualTo(cluster.leaderId());
    }

    @Test
    void registerListAndDeregisterAnInstance() throws Exception {
        CliRun registered = ok("register", "cart", "cart-1", "--address", "10.0.0.5", "--port", "8080",
                "--tag", "v2", "--tag", "blue", "--meta", "team=core", "--weight", "50", "--zone", "eu-1");
        assertThat(registered.out()).matches("registered cart/cart-1 at index \\d+ \\(passing, check none\\)\\n");

        Responses.Registered asJson = json(ok("register", "cart", "cart-2", "--address", "10.0.0.6", "--port", "8081",
                "--ttl", "15s", "-o", "json"), Responses.Registered.class);
        assertThat(asJson.instance().check().type()).isEqualTo(CheckType.TTL);
        assertThat(asJson.instance().check().ttl()).isEqualTo(Duration.ofSeconds(15));

        List<String> table = ok("instances", "cart").outLines();
        assertThat(table.get(0)).matches("ID\\s+ADDRESS\\s+PORT\\s+STATUS\\s+WEIGHT\\s+ZONE\\s+TAGS\\s+CHECK\\s+INDEX");
        assertThat(table.get(1)).matches("cart-1\\s+10\\.0\\.0\\.5\\s+8080\\s+passing\\s+50\\s+eu-1\\s+v2,blue\\s+none\\s+\\d+");
        assertThat(table.get(2)).matches("cart-2\\s+10\\.0\\.0\\.6\\s+8081\\s+passing\\s+100\\s+-\\s+-\\s+ttl 15s\\s+\\d+");
        assertAligned(table, "ADDRESS", "PORT", "STATUS", "WEIGHT", "ZONE", "TAGS", "CHECK", "INDEX");

        Responses.Instances listed = json(ok("instances", "cart", "-o", "json"), Responses.Instances.class);
        assertThat(listed.instances()).extracting(Instance::id).containsExactly("cart-1", "cart-2");
        assertThat(listed.instances().get(0).metadata()).isEqualTo(Map.of("team", "core"));

        assertThat(ok("deregister", "cart", "cart-1").out()).matches("deregistered cart/cart-1 at index \\d+\\n");
        Responses.Indexed removed = json(ok("deregister", "cart", "cart-2", "-o", "json"), Responses.Indexed.class);
        assertThat(removed.index()).isPositive();
        assertThat(json(ok("instances", "cart", "-o", "json"), Responses.Instances.class).instances()).isEmpty();
    }

    @Test
    void deregisteringAnUnknownInstanceFails() {
        CliRun run = CliRun.run(withAddr("deregister", "cart", "nobody"));
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("registry: instance cart/nobody is not registered\n");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void registerWithAnHttpCheckStoresIt() throws Exception {
        Responses.Registered r = json(ok("register", "probed", "p-1", "--address", "127.0.0.1", "--port", "9",
                "--http-check", "http://127.0.0.1:9/health", "--interval", "5s", "--timeout", "1s",
                "--deregister-after", "2m", "-o", "json"), Responses.Registered.class);
        assertThat(r.instance().check().type()).isEqualTo(CheckType.HTTP);
        assertThat(r.instance().check().url()).isEqualTo("http://127.0.0.1:9/health");
        assertThat(r.instance().check().interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(r.instance().check().deregisterAfter()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void aRegistrationTheServerRejectsIsBadUsage() {
        CliRun run = CliRun.run(withAddr("register", "cart", "c", "--address", "10.0.0.1", "--port", "80",
                "--weight", "5000"));
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).hasLineCount(1).contains("weight 5000 is out of range");
    }

    @Test
    void instancesFiltersByHealthTagZoneAndMetadata() throws Exception {
        ok("register", "shop", "s-1", "--address", "10.0.0.1", "--port", "80", "--tag", "v1", "--zone", "a",
                "--meta", "team=core");
        ok("register", "shop", "s-2", "--address", "10.0.0.2", "--port", "80", "--tag", "v2", "--zone", "b");
        ok("register", "shop", "s-3", "--address", "10.0.0.3", "--port", "80", "--tag", "v2", "--zone", "a");
        try (var client = io.registry.client.RegistryClient.builder().nodes(cluster.httpAddresses()).build()) {
            client.registerOnce("shop", "s-4", io.registry.client.Registrations.of("10.0.0.4", 80).tag("v2")
                    .zone("a").status(Status.CRITICAL).build());
        }
        assertThat(ids(ok("instances", "shop", "--tag", "v2"))).containsExactly("s-2", "s-3", "s-4");
        assertThat(ids(ok("instances", "shop", "--tag", "v2", "--zone", "a", "--healthy"))).containsExactly("s-3");
        assertThat(ids(ok("instances", "shop", "--meta", "team=core"))).containsExactly("s-1");
        assertThat(ids(ok("instances", "shop", "--passing", "--consistency", "linearizable"))).containsExactly("s-1", "s-2", "s-3");
        List<String> critical = ok("instances", "shop", "--zone", "a").outLines();
        assertThat(critical).anyMatch(l -> l.matches("s-4\\s+10\\.0\\.0\\.4\\s+80\\s+critical\\s.*"));
    }

    @Test
    void servicesCountsInstancesAndPassing() throws Exception {
        ok("register", "books", "b-1", "--address", "10.0.0.1", "--port", "80");
        ok("register", "books", "b-2", "--address", "10.0.0.2", "--port", "80");
        List<String> lines = ok("services").outLines();
        assertThat(lines.get(0)).matches("SERVICE\\s+INSTANCES\\s+PASSING");
        assertThat(lines).anyMatch(l -> l.matches("books\\s+2\\s+2"));
        Responses.Services asJson = json(ok("services", "-o", "json"), Responses.Services.class);
        assertThat(asJson.services()).contains(new Responses.ServiceSummary("books", 2, 2));
    }

    @Test
    void snapshotReportsItsIndex() throws Exception {
        ok("register", "snap", "s-1", "--address", "10.0.0.1", "--port", "80");
        assertThat(ok("snapshot").out()).matches("snapshot taken at index \\d+ on 127\\.0\\.0\\.1:\\d+\\n");
        assertThat(json(ok("snapshot", "-o", "json"), Responses.Snapshot.class).index()).isPositive();
    }

    @Test
    void watchPrintsTheListThenEveryChange() throws Exception {
        ok("register", "feed", "f-1", "--address", "10.0.0.1", "--port", "80");
        CliRun.Running watch = CliRun.start(withAddr("watch", "feed", "--max-events", "3"));
        Await.until(CONVERGE, "the first list", () -> watch.out().contains("f-1"));
        ok("register", "feed", "f-2", "--address", "10.0.0.2", "--port", "80");
        Await.until(CONVERGE, "the second list", () -> watch.out().contains("+f-2"));
        ok("deregister", "feed", "f-1");
        CliRun done = watch.result().get(CONVERGE.toSeconds(), TimeUnit.SECONDS);
        assertThat(done.exitCode()).as(done.toString()).isZero();
        List<String> headers = done.outLines().stream().filter(l -> l.startsWith("feed  index")).toList();
        assertThat(headers).hasSize(3);
        assertThat(headers.get(0)).matches("feed  index \\d+  1 instance, 1 healthy  \\+f-1  \\(from 127\\.0\\.0\\.1:\\d+\\)");
        assertThat(headers.get(1)).matches("feed  index \\d+  2 instances, 2 healthy  \\+f-2  \\(from .*\\)");
        assertThat(headers.get(2)).matches("feed  index \\d+  1 instance, 1 healthy  -f-1  \\(from .*\\)");
    }

    @Test
    void watchAsJsonPrintsOneInstanceListPerLine() throws Exception {
        ok("register", "jfeed", "j-1", "--address", "10.0.0.1", "--port", "80");
        CliRun.Running watch = CliRun.start(withAddr("watch", "jfeed", "--max-events", "2", "-o", "json"));
        Await.until(CONVERGE, "the first list", () -> watch.out().contains("j-1"));
        ok("register", "jfeed", "j-2", "--address", "10.0.0.2", "--port", "80");
        CliRun done = watch.result().get(CONVERGE.toSeconds(), TimeUnit.SECONDS);
        assertThat(done.exitCode()).isZero();
        List<String> lines = done.outLines();
        assertThat(lines).hasSize(2);
        Responses.Instances first = JSON.readValue(lines.get(0), Responses.Instances.class);
        Responses.Instances second = JSON.readValue(lines.get(1), Responses.Instances.class);
        assertThat(first.instances()).extracting(Instance::id).containsExactly("j-1");
        assertThat(second.instances()).extracting(Instance::id).containsExactlyInAnyOrder("j-1", "j-2");
        assertThat(second.index()).isGreaterThan(first.index());
    }

    @Test
    void watchForADurationExitsCleanly() {
        CliRun run = CliRun.run(withAddr("watch", "quiet", "--for", "300ms"));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).startsWith("quiet  index");
    }

    private static List<String> ids(CliRun run) {
        return run.outLines().stream().skip(1).map(l -> l.split("\\s+")[0]).sorted().toList();
    }

    /** Each named column starts at the same character position on every line. */
    private static void assertAligned(List<String> lines, String... columns) {
        String header = lines.get(0);
        for (String column : columns) {
            int at = header.indexOf(column);
            for (String line : lines.subList(1, lines.size())) {
                assertThat(line.length()).as("line '%s' reaches column %s", line, column).isGreaterThan(at);
                assertThat(line.charAt(at - 1)).as("'%s' before column %s", line, column).isEqualTo(' ');
                assertThat(line.charAt(at)).as("'%s' at column %s", line, column).isNotEqualTo(' ');
            }
        }
    }
}
