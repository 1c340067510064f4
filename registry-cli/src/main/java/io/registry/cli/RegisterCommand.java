package io.registry.cli;

import io.registry.api.Responses;
import io.registry.client.Registrations;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "register", mixinStandardHelpOptions = true,
        description = {"Register (or replace) an instance.",
                "The CLI registers once and sends no heartbeats: with --ttl the instance itself must renew its "
                        + "lease (PUT .../heartbeat) or it turns critical after the ttl."},
        footer = {"", "Examples:",
                "  registry register payments payments-1 --address 10.0.0.5 --port 8080 \\",
                "      --tag v2 --meta team=core",
                "  registry register payments payments-2 --address 10.0.0.6 --port 8080 \\",
                "      --http-check http://10.0.0.6:8080/health --interval 5s"})
final class RegisterCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "SERVICE", description = "The service name (a-z, 0-9, '-').")
    String service;

    @Parameters(index = "1", paramLabel = "ID", description = "The instance id, unique within the service.")
    String id;

    @Option(names = "--address", required = true, paramLabel = "HOST", description = "Host name or IP clients connect to.")
    String address;

    @Option(names = "--port", required = true, paramLabel = "PORT", description = "Port clients connect to (1-65535).")
    int port;

    @Option(names = "--tag", paramLabel = "TAG", description = "A tag (repeatable).")
    List<String> tags = new ArrayList<>();

    @Option(names = "--meta", paramLabel = "KEY=VALUE", description = "A metadata pair (repeatable).")
    Map<String, String> meta = new LinkedHashMap<>();

    @Option(names = "--weight", paramLabel = "1-1000", description = "Load-balancing weight (server default 100).")
    Integer weight;

    @Option(names = "--zone", paramLabel = "ZONE", description = "Availability zone.")
    String zone;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    CheckChoice check;

    @Option(names = "--interval", paramLabel = "DURATION", description = "Probe interval of --http-check/--tcp-check (server default 10s).")
    String interval;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "Probe timeout of --http-check/--tcp-check (server default 2s).")
    String timeout;

    @Option(names = "--deregister-after", paramLabel = "DURATION",
            description = "Remove the instance after it stayed critical this long (server default 60s).")
    String deregisterAfter;

    static final class CheckChoice {
        @Option(names = "--ttl", paramLabel = "DURATION", description = "A ttl check: heartbeats must come within DURATION (e.g. 15s).")
        String ttl;

        @Option(names = "--http-check", paramLabel = "URL", description = "An http check: the leader GETs URL.")
        String httpUrl;

        @Option(names = "--tcp-check", description = "A tcp check: the leader connects to ADDRESS:PORT.")
        boolean tcp;
    }

    @Override
    int run() {
        Registrations r = Registrations.of(address, port).tags(tags).metadata(meta);
        if (weight != null) {
            r.weight(weight);
        }
        if (zone != null) {
            r.zone(zone);
        }
        boolean probe = check != null && (check.httpUrl != null || check.tcp);
        if ((interval != null || timeout != null) && !probe) {
            throw new UsageException("--interval and --timeout apply to --http-check or --tcp-check only");
        }
        if (check != null && check.ttl != null) {
            r.ttl(LeaderCommand.duration("--ttl", check.ttl));
        } else if (probe) {
            var every = interval == null ? null : LeaderCommand.duration("--interval", interval);
            var within = timeout == null ? null : LeaderCommand.duration("--timeout", timeout);
            if (check.httpUrl != null) {
                r.httpCheck(check.httpUrl, every, within);
            } else {
                r.tcpCheck(every, within);
            }
        }
        if (deregisterAfter != null) {
            r.deregisterAfter(LeaderCommand.duration("--deregister-after", deregisterAfter));
        }
        Responses.Registered registered = client().registerOnce(service, id, r.build());
        Printer p = printer();
        if (p.json()) {
            p.document(registered);
        } else {
            p.line("registered " + service + "/" + id + " at index " + registered.index() + " ("
                    + registered.instance().status().wire() + ", check " + Tables.check(registered.instance().check()) + ")");
        }
        return ExitCodes.OK;
    }
}
