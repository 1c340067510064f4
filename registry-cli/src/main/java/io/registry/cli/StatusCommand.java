package io.registry.cli;

import io.registry.api.Responses;
import picocli.CommandLine.Command;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the cluster: leader, term, commit and applied index, protection mode, and each "
                + "member's role, addresses, lag and last contact.",
        footer = {"", "Examples:", "  registry status", "  registry status --addr 10.0.0.1:7701 -o json"})
final class StatusCommand extends BaseCommand {
    @Override
    int run() {
        Responses.Cluster cluster = client().clusterFromLeader();
        Printer p = printer();
        if (p.json()) {
            p.document(cluster);
            return ExitCodes.OK;
        }
        Style s = p.style();
        p.pairs(new String[][] {
                {"Leader", cluster.leader() == null ? s.red("none (no leader elected)") : s.green(cluster.leader())},
                {"Term", String.valueOf(cluster.term())},
                {"Commit index", String.valueOf(cluster.commitIndex())},
                {"Applied index", String.valueOf(cluster.appliedIndex())},
                {"Protection", cluster.protection() ? s.yellow("ON (mass expiry paused)") : "off"},
                {"Members", String.valueOf(cluster.members().size())},
        });
        p.line("");
        p.table(Tables.members(cluster, s));
        return ExitCodes.OK;
    }
}
