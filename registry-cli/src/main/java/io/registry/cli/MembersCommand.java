package io.registry.cli;

import io.registry.api.Responses;
import io.registry.client.RegistryClient;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "members", mixinStandardHelpOptions = true,
        description = "List the voting members, or change them (Raft reconfiguration through the cluster API).",
        subcommands = {MembersCommand.Add.class, MembersCommand.Remove.class},
        footer = {"", "Examples:", "  registry members",
                "  registry members add n4 --raft 10.0.0.4:7801 --http 10.0.0.4:7701",
                "  registry members remove n4"})
final class MembersCommand extends BaseCommand {
    private static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9_.%-]+:\\d{1,5}|\\[[0-9A-Fa-f:.%]+]:\\d{1,5}");

    private static final Duration CONFIGURATION_WAIT = Duration.ofSeconds(15);
    private static final long POLL_MILLIS = 100;

    @Override
    int run() {
        print(client().clusterFromLeader(), printer(), null);
        return ExitCodes.OK;
    }

    /**
     * The cluster once the leader's view shows the new configuration: the change is committed before the API
     * answers, but the answering node may learn it a moment later.
     */
    static Responses.Cluster awaitMembers(RegistryClient client, Predicate<List<String>> done, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + CONFIGURATION_WAIT.toNanos();
        while (true) {
            Responses.Cluster cluster = client.clusterFromLeader();
            List<String> ids = cluster.members().stream().map(Responses.Member::id).toList();
            if (done.test(ids)) {
                return cluster;
            }
            if (System.nanoTime() > deadline) {
                throw new OperationFailed("the cluster accepted the change but its members are still " + ids
                        + " after " + CONFIGURATION_WAIT.toSeconds() + "s (waiting for " + what + ")");
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** The members after a change: a sentence and the table, or the cluster as JSON. */
    static void print(Responses.Cluster cluster, Printer p, String sentence) {
        if (p.json()) {
            p.document(cluster);
            return;
        }
        if (sentence != null) {
            p.line(sentence);
        }
        p.table(Tables.members(cluster, p.style()));
    }

    static String hostPort(String option, String value) {
        if (!HOST_PORT.matcher(value).matches()) {
            throw new UsageException(option + " '" + value + "' is not HOST:PORT (e.g. 10.0.0.4:7801)");
        }
        int port = Integer.parseInt(value.substring(value.lastIndexOf(':') + 1));
        if (port < 1 || port > 65535) {
            throw new UsageException(option + " port " + port + " is out of range 1-65535");
        }
        return value;
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Add a voting member. Start the new node first (with --join) so it can catch up; "
                    + "the command returns once the cluster committed the new configuration.",
            footer = {"", "Example:", "  registry members add n4 --raft 10.0.0.4:7801 --http 10.0.0.4:7701"})
    static final class Add extends BaseCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The new member's node id.")
        String id;

        @Option(names = "--raft", required = true, paramLabel = "HOST:PORT", description = "Its Raft (gRPC) address.")
        String raft;

        @Option(names = "--http", required = true, paramLabel = "HOST:PORT", description = "Its HTTP address.")
        String http;

        @Override
        int run() throws InterruptedException {
            client().addMember(id, hostPort("--raft", raft), hostPort("--http", http));
            Responses.Cluster after = awaitMembers(client(), ids -> ids.contains(id), id + " to join");
            print(after, printer(), "added member " + id + " (raft " + raft + ", http " + http + ")");
            return ExitCodes.OK;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Remove a voting member. Removing the leader makes the others elect a new one.",
            footer = {"", "Example:", "  registry members remove n3"})
    static final class Remove extends BaseCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The member's node id.")
        String id;

        @Override
        int run() throws InterruptedException {
            Responses.Cluster before = client().clusterFromLeader();
            if (before.members().stream().noneMatch(m -> m.id().equals(id))) {
                throw new OperationFailed("'" + id + "' is not a member; members are "
                        + before.members().stream().map(Responses.Member::id).toList());
            }
            client().removeMember(id);
            Responses.Cluster after = awaitMembers(client(), ids -> !ids.contains(id), id + " to leave");
            print(after, printer(), "removed member " + id);
            return ExitCodes.OK;
        }
    }
}
