package io.registry.cli;

import io.registry.api.Responses;
import java.util.OptionalLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "deregister", mixinStandardHelpOptions = true,
        description = "Remove an instance. Exits 1 if the registry does not know it.",
        footer = {"", "Example:", "  registry deregister payments payments-1"})
final class DeregisterCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "SERVICE", description = "The service name.")
    String service;

    @Parameters(index = "1", paramLabel = "ID", description = "The instance id.")
    String id;

    @Override
    int run() {
        OptionalLong index = client().deregister(service, id);
        if (index.isEmpty()) {
            throw new OperationFailed("instance " + service + "/" + id + " is not registered");
        }
        Printer p = printer();
        if (p.json()) {
            p.document(new Responses.Indexed(index.getAsLong()));
        } else {
            p.line("deregistered " + service + "/" + id + " at index " + index.getAsLong());
        }
        return ExitCodes.OK;
    }
}
