package io.registry.cli;

import io.registry.api.Durations;
import io.registry.api.Responses;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "leader", mixinStandardHelpOptions = true,
        description = "Show the leader, or move leadership to another member.",
        subcommands = LeaderCommand.Transfer.class,
        footer = {"", "Examples:", "  registry leader", "  registry leader transfer n2"})
final class LeaderCommand extends BaseCommand {
    @Override
    int run() {
        Responses.Cluster cluster = client().cluster();
        Printer p = printer();
        if (p.json()) {
            p.document(new LeaderView(cluster.leader(), cluster.term()));
        } else if (cluster.leader() == null) {
            throw new OperationFailed("the cluster has no leader right now (term " + cluster.term() + ")");
        } else {
            p.line(cluster.leader() + " (term " + cluster.term() + ")");
        }
        return ExitCodes.OK;
    }

    record LeaderView(String leader, long term) {
    }

    @Command(name = "transfer", mixinStandardHelpOptions = true,
            description = "Ask the leader to hand leadership to ID, and wait until ID leads.",
            footer = {"", "Examples:", "  registry leader transfer n2", "  registry leader transfer n3 --wait 30s"})
    static final class Transfer extends BaseCommand {
        private static final long POLL_MILLIS = 100;

        @Parameters(index = "0", paramLabel = "ID", description = "The member that should lead.")
        String id;

        @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "15s",
                description = "How long to wait for ID to lead (default: ${DEFAULT-VALUE}).")
        String wait;

        @Override
        int run() throws InterruptedException {
            Duration timeout = duration("--wait", wait);
            Responses.Cluster before = client().cluster();
            if (before.members().stream().noneMatch(m -> m.id().equals(id))) {
                throw new UsageException("'" + id + "' is not a member; members are "
                        + before.members().stream().map(Responses.Member::id).toList());
            }
            if (!id.equals(before.leader())) {
                client().transferLeader(id);
            }
            Responses.Cluster after = awaitLeader(timeout);
            if (printer().json()) {
                printer().document(after);
            } else {
                printer().line("leader is now " + after.leader() + " (term " + after.term() + ", was "
                        + before.leader() + " in term " + before.term() + ")");
            }
            return ExitCodes.OK;
        }

        private Responses.Cluster awaitLeader(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                Responses.Cluster now = client().cluster();
                if (id.equals(now.leader())) {
                    return now;
                }
                if (System.nanoTime() > deadline) {
                    throw new OperationFailed("leadership did not move to " + id + " within "
                            + Durations.format(timeout) + "; the leader is " + now.leader() + " (term " + now.term() + ")");
                }
                Thread.sleep(POLL_MILLIS);
            }
        }
    }

    static Duration duration(String option, String text) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException(option + ": " + e.getMessage());
        }
    }
}
