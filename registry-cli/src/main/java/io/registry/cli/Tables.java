package io.registry.cli;

import io.registry.api.Check;
import io.registry.api.Durations;
import io.registry.api.Instance;
import io.registry.api.Responses;
import java.util.List;

/** The tables several commands print. */
final class Tables {
    private Tables() {
    }

    static Table members(Responses.Cluster cluster, Style style) {
        Table t = new Table("ID", "ROLE", "RAFT ADDRESS", "HTTP ADDRESS", "MATCH INDEX", "LAG", "LAST CONTACT");
        for (Responses.Member m : cluster.members()) {
            String role = m.role() != null ? m.role().toLowerCase(java.util.Locale.ROOT)
                    : m.id().equals(cluster.leader()) ? "leader" : "-";
            Long lag = m.matchIndex() == null ? null : Math.max(0, cluster.commitIndex() - m.matchIndex());
            String contact = m.lastContactMs() == null ? null : m.lastContactMs() + "ms";
            t.row(m.id(), new Table.Cell(role, s -> style.role(role, s)), m.raftAddress(), m.httpAddress(),
                    m.matchIndex(), lag, contact);
        }
        return t;
    }

    static Table instances(List<Instance> instances, Style style) {
        Table t = new Table("ID", "ADDRESS", "PORT", "STATUS", "WEIGHT", "ZONE", "TAGS", "CHECK", "INDEX");
        for (Instance i : instances) {
            String status = i.status() == null ? "-" : i.status().wire();
            t.row(i.id(), i.address(), i.port(), new Table.Cell(status, s -> style.status(i.status(), s)),
                    i.weight(), i.zone(), i.tags().isEmpty() ? null : String.join(",", i.tags()),
                    check(i.check()), i.modifyIndex());
        }
        return t;
    }

    static String check(Check c) {
        if (c == null || c.type() == null) {
            return "none";
        }
        return switch (c.type()) {
            case TTL -> "ttl " + (c.ttl() == null ? "?" : Durations.format(c.ttl()));
            case HTTP -> "http every " + (c.interval() == null ? "?" : Durations.format(c.interval()));
            case TCP -> "tcp every " + (c.interval() == null ? "?" : Durations.format(c.interval()));
            case NONE -> "none";
        };
    }
}
