package io.registry.cli;

import io.registry.api.Responses;
import picocli.CommandLine.Command;

@Command(name = "services", mixinStandardHelpOptions = true,
        description = "List every service with its instance and passing counts.",
        footer = {"", "Examples:", "  registry services", "  registry services -o json"})
final class ServicesCommand extends BaseCommand {
    @Override
    int run() {
        Responses.Services services = client().services();
        Printer p = printer();
        if (p.json()) {
            p.document(services);
            return ExitCodes.OK;
        }
        Table t = new Table("SERVICE", "INSTANCES", "PASSING");
        for (Responses.ServiceSummary s : services.services()) {
            String passing = String.valueOf(s.passing());
            t.row(s.name(), s.instances(), new Table.Cell(passing,
                    x -> s.passing() == s.instances() ? x : s.passing() == 0 ? p.style().red(x) : p.style().yellow(x)));
        }
        p.table(t);
        return ExitCodes.OK;
    }
}
