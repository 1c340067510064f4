package io.registry.cli;

import io.registry.api.Instance;
import io.registry.api.Responses;
import io.registry.client.Change;
import io.registry.client.ServiceView;
import io.registry.client.Subscription;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "watch", mixinStandardHelpOptions = true,
        description = {"Print a service's instances, then again after every change, until interrupted (Ctrl-C).",
                "The stream moves to the next node when its node goes away; with -o json each list is one line."},
        footer = {"", "Examples:", "  registry watch payments",
                "  registry watch payments -o json --max-events 1    # print the list, exit"})
final class WatchCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "SERVICE", description = "The service name.")
    String service;

    @Option(names = "--max-events", paramLabel = "N", description = "Exit after printing N lists (the first is the current one).")
    Integer maxEvents;

    @Option(names = "--for", paramLabel = "DURATION", description = "Exit after watching this long (e.g. 30s).")
    String forDuration;

    @Override
    int run() {
        if (maxEvents != null && maxEvents < 1) {
            throw new UsageException("--max-events must be at least 1");
        }
        Duration limit = forDuration == null ? null : LeaderCommand.duration("--for", forDuration);
        ServiceView view = client().discover(service);
        if (!view.isLoaded()) {
            throw new OperationFailed("no registry node answered the watch of " + service + " (tried "
                    + client().nodes() + ")");
        }
        CountDownLatch done = new CountDownLatch(maxEvents == null ? 1 : maxEvents);
        Printer p = printer();
        Subscription subscription = view.onChange(change -> {
            if (done.getCount() > 0) {
                print(p, change);
                if (maxEvents != null) {
                    done.countDown();
                }
            }
        });
        try {
            if (limit == null) {
                done.await();
            } else {
                done.await(limit.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            subscription.close();
        }
        return ExitCodes.OK;
    }

    private void print(Printer p, Change change) {
        if (p.json()) {
            p.jsonLine(new Responses.Instances(change.service(), change.index(), change.instances()));
            return;
        }
        long passing = change.instances().stream().filter(i -> i.status() != null && i.status().healthy()).count();
        StringBuilder header = new StringBuilder(p.style().bold(change.service()))
                .append("  index ").append(change.index())
                .append("  ").append(count(change.instances().size(), "instance")).append(", ").append(passing)
                .append(" healthy");
        appendIds(header, "+", change.added());
        appendIds(header, "-", change.removed());
        appendIds(header, "~", change.updated());
        if (change.node() != null) {
            header.append("  (from ").append(change.node()).append(")");
        }
        p.line(header.toString());
        p.table(Tables.instances(change.instances(), p.style()));
        p.line("");
    }

    static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static void appendIds(StringBuilder sb, String sign, List<Instance> instances) {
        instances.forEach(i -> sb.append("  ").append(sign).append(i.id()));
    }
}
