package io.registry.cli;

import io.registry.api.Responses;
import io.registry.client.Consistency;
import io.registry.client.Query;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "instances", mixinStandardHelpOptions = true,
        description = "List a service's instances, optionally filtered.",
        footer = {"", "Examples:", "  registry instances payments",
                "  registry instances payments --healthy --tag v2 --zone eu-1",
                "  registry instances payments --meta team=core --consistency linearizable",
                "  registry instances payments -o json"})
final class InstancesCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "SERVICE", description = "The service name.")
    String service;

    @Option(names = "--healthy", description = "Only passing and warning instances.")
    boolean healthy;

    @Option(names = "--passing", description = "Only passing instances.")
    boolean passing;

    @Option(names = "--tag", paramLabel = "TAG", description = "Only instances with this tag (repeatable: all must match).")
    List<String> tags = new ArrayList<>();

    @Option(names = "--zone", paramLabel = "ZONE", description = "Only instances in this zone.")
    String zone;

    @Option(names = "--meta", paramLabel = "KEY=VALUE", description = "Only instances with this metadata (repeatable).")
    Map<String, String> meta = Map.of();

    @Option(names = "--consistency", paramLabel = "MODE",
            description = "stale, default or linearizable (default: the server's default).")
    Consistency consistency;

    @Override
    int run() {
        Query q = Query.all();
        if (healthy) {
            q = q.healthy();
        }
        if (passing) {
            q = q.passing();
        }
        for (String t : tags) {
            q = q.tag(t);
        }
        if (zone != null) {
            q = q.zone(zone);
        }
        for (Map.Entry<String, String> e : meta.entrySet()) {
            q = q.meta(e.getKey(), e.getValue());
        }
        if (consistency != null) {
            q = q.consistency(consistency);
        }
        Responses.Instances result = client().instances(service, q);
        Printer p = printer();
        if (p.json()) {
            p.document(result);
        } else {
            p.table(Tables.instances(result.instances(), p.style()));
        }
        return ExitCodes.OK;
    }
}
