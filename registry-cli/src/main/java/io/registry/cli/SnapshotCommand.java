package io.registry.cli;

import io.registry.api.Responses;
import picocli.CommandLine.Command;

@Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = "Make the answering node take a snapshot of its state now (it compacts its Raft log).",
        footer = {"", "Examples:", "  registry snapshot", "  registry snapshot --addr 10.0.0.2:7701"})
final class SnapshotCommand extends BaseCommand {
    @Override
    int run() {
        Responses.Snapshot snapshot = client().snapshot();
        Printer p = printer();
        if (p.json()) {
            p.document(snapshot);
        } else {
            p.line("snapshot taken at index " + snapshot.index() + " on " + client().currentNode());
        }
        return ExitCodes.OK;
    }
}
