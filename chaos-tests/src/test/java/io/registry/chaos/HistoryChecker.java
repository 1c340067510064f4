package io.registry.chaos;

import io.registry.api.Instance;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Judges a recorded history against the converged final state:
 * <ul>
 * <li>every acknowledged registration is present unless a deregistration of it was attempted;</li>
 * <li>no acknowledged deregistration comes back; nothing refused or never attempted appears;</li>
 * <li>a present instance carries the index its registration was acknowledged with;</li>
 * <li>linearizable reads never go back in index, in real time, across all nodes, nor behind an
 *     acknowledged write;</li>
 * <li>a linearizable read sees every registration acknowledged before it started (until its deregistration
 *     was attempted) and no deregistration acknowledged before it started.</li>
 * </ul>
 * It also measures the longest time without an acknowledged write after the fault.
 */
final class HistoryChecker {
    static final int MAX_REPORTED = 10;

    record Verdict(long acknowledged, long lost, long unavailabilityMillis, Map<String, Long> unavailabilityByNode,
                   long readsOk, long readsFailed, Map<String, List<String>> violations) {
        boolean clean() {
            return violations.isEmpty();
        }

        String describe() {
            StringBuilder out = new StringBuilder();
            violations.forEach((rule, cases) -> {
                out.append(rule).append(" (").append(cases.size() < MAX_REPORTED ? cases.size() : MAX_REPORTED + "+")
                        .append("):\n");
                cases.forEach(c -> out.append("    ").append(c).append('\n'));
            });
            return out.toString();
        }
    }

    private final Map<String, List<String>> violations = new LinkedHashMap<>();
    private long lost;

    private HistoryChecker() {
    }

    static Verdict check(History history, List<Instance> finalState, long faultAtNanos, long endNanos) {
        HistoryChecker checker = new HistoryChecker();
        List<History.Write> writes = history.writes();
        List<History.Read> reads = history.reads();
        checker.checkFinalState(writes, finalState);
        List<History.Read> linearizable = reads.stream().filter(r -> r.ok() && r.linearizable())
                .sorted(Comparator.comparingLong(History.Read::startNanos)).toList();
        checker.checkReadIndexMonotonic(linearizable, writes);
        checker.checkReadsSeeWrites(writes, linearizable);
        long acknowledged = writes.stream().filter(w -> w.outcome() == History.Outcome.ACK).count();
        long readsOk = reads.stream().filter(History.Read::ok).count();
        return new Verdict(acknowledged, checker.lost, unavailability(writes, faultAtNanos, endNanos),
                faultAtNanos < 0 ? Map.of() : unavailabilityByNode(writes, faultAtNanos, endNanos), readsOk,
                reads.size() - readsOk, checker.violations);
    }

    private void checkFinalState(List<History.Write> writes, List<Instance> finalState) {
        Map<String, Instance> present = new HashMap<>();
        finalState.forEach(i -> present.put(i.id(), i));
        Map<String, History.Write> registrations = new HashMap<>();
        Map<String, History.Write> deregistrations = new HashMap<>();
        for (History.Write w : writes) {
            (w.kind() == History.Kind.REGISTER ? registrations : deregistrations).put(w.id(), w);
        }
        for (History.Write reg : registrations.values()) {
            History.Write dereg = deregistrations.get(reg.id());
            Instance instance = present.get(reg.id());
            if (dereg != null && dereg.outcome() == History.Outcome.ACK && instance != null) {
                lost++;
                violation("an acknowledged deregistration came back", dereg + " -> " + instance);
            }
            if (reg.outcome() == History.Outcome.ACK) {
                checkAcknowledged(reg, dereg, instance);
            } else if (reg.outcome() == History.Outcome.REJECTED && instance != null) {
                violation("a refused registration is present", reg + " -> " + instance);
            }
        }
        for (Instance instance : finalState) {
            if (!registrations.containsKey(instance.id())) {
                violation("an instance nobody registered is present", instance.toString());
            }
        }
    }

    private void checkAcknowledged(History.Write reg, History.Write dereg, Instance instance) {
        if (dereg == null || dereg.outcome() == History.Outcome.REJECTED) {
            if (instance == null) {
                lost++;
                violation("an acknowledged registration is lost", reg.toString());
            } else if (reg.index() < instance.createIndex() || reg.index() > instance.modifyIndex()) {
                violation("an instance does not carry the index its registration was acknowledged with",
                        reg + " -> " + instance);
            }
        } else if (dereg.outcome() == History.Outcome.NOT_FOUND) {
            lost++;
            violation("a deregistration found no trace of an acknowledged registration", reg + " then " + dereg);
        }
    }

    /**
     * Real-time order: a linearizable read that starts after another read, or a write's acknowledgement,
     * has ended reports a service index at least as high (the service index counts deletions too).
     */
    private void checkReadIndexMonotonic(List<History.Read> byStart, List<History.Write> writes) {
        record Seen(long endNanos, long index, String what) {
        }
        List<Seen> seen = new ArrayList<>();
        byStart.forEach(r -> seen.add(new Seen(r.endNanos(), r.index(), describe(r))));
        writes.stream().filter(w -> w.outcome() == History.Outcome.ACK)
                .forEach(w -> seen.add(new Seen(w.endNanos(), w.index(), "acknowledged " + w)));
        seen.sort(Comparator.comparingLong(Seen::endNanos));
        Seen highest = null;
        int ended = 0;
        for (History.Read read : byStart) {
            while (ended < seen.size() && seen.get(ended).endNanos() < read.startNanos()) {
                if (highest == null || seen.get(ended).index() > highest.index()) {
                    highest = seen.get(ended);
                }
                ended++;
            }
            if (highest != null && read.index() < highest.index()) {
                violation("a linearizable read went back in index", describe(read) + " after " + highest.what());
            }
        }
    }

    private void checkReadsSeeWrites(List<History.Write> writes, List<History.Read> byStart) {
        long[] starts = byStart.stream().mapToLong(History.Read::startNanos).toArray();
        Map<String, History.Write> deregistrations = new HashMap<>();
        writes.stream().filter(w -> w.kind() == History.Kind.DEREGISTER).forEach(w -> deregistrations.put(w.id(), w));
        for (History.Write w : writes) {
            if (w.outcome() != History.Outcome.ACK) {
                continue;
            }
            long key = History.key(w.id());
            int from = firstStartAfter(starts, w.endNanos());
            if (w.kind() == History.Kind.REGISTER) {
                History.Write dereg = deregistrations.get(w.id());
                boolean stays = dereg == null || dereg.outcome() == History.Outcome.REJECTED;
                long until = stays ? Long.MAX_VALUE : dereg.startNanos();
                for (int i = from; i < starts.length && starts[i] < until; i++) {
                    History.Read read = byStart.get(i);
                    if (read.endNanos() < until && Arrays.binarySearch(read.ids(), key) < 0) {
                        violation("a linearizable read missed an acknowledged registration", describe(read) + " missed " + w);
                    }
                }
            } else {
                for (int i = from; i < starts.length; i++) {
                    History.Read read = byStart.get(i);
                    if (Arrays.binarySearch(read.ids(), key) >= 0) {
                        violation("a linearizable read saw an acknowledged deregistration undone",
                                describe(read) + " has " + w);
                    }
                }
            }
        }
    }

    /** The same, for the writes sent to each node: what a client pinned to that node would have seen. */
    static Map<String, Long> unavailabilityByNode(List<History.Write> writes, long faultAtNanos, long endNanos) {
        Map<String, List<History.Write>> byNode = new java.util.TreeMap<>();
        writes.forEach(w -> byNode.computeIfAbsent(w.node(), k -> new ArrayList<>()).add(w));
        Map<String, Long> out = new LinkedHashMap<>();
        byNode.forEach((node, own) -> out.put(node, unavailability(own, faultAtNanos, endNanos)));
        return out;
    }

    /** The longest stretch without an acknowledged write, counted from the fault to the end of the load. */
    static long unavailability(List<History.Write> writes, long faultAtNanos, long endNanos) {
        if (faultAtNanos < 0) {
            return -1;
        }
        long[] acks = writes.stream().filter(w -> w.outcome() == History.Outcome.ACK && w.endNanos() >= faultAtNanos)
                .mapToLong(History.Write::endNanos).sorted().toArray();
        long previous = faultAtNanos;
        long longest = 0;
        for (long ack : acks) {
            longest = Math.max(longest, ack - previous);
            previous = ack;
        }
        longest = Math.max(longest, endNanos - previous);
        return longest / 1_000_000;
    }

    /** The first position whose start is after {@code nanos} (starts are sorted). */
    private static int firstStartAfter(long[] starts, long nanos) {
        int low = 0;
        int high = starts.length;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (starts[mid] <= nanos) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    private static String describe(History.Read r) {
        return "read at " + r.node() + " [" + r.startNanos() / 1_000_000 + ".." + r.endNanos() / 1_000_000
                + " ms] index " + r.index();
    }

    private void violation(String rule, String detail) {
        List<String> cases = violations.computeIfAbsent(rule, k -> new ArrayList<>());
        if (cases.size() < MAX_REPORTED) {
            cases.add(detail);
        }
    }
}
