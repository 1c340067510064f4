package io.registry.bench.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Who leads, as {@code GET /v1/cluster} of a node reports it, mapped to the HTTP addresses in use. */
public record ClusterView(String leaderId, String leaderAddress, List<String> followerAddresses) {

    /**
     * Asks the nodes in turn until one names a leader whose HTTP address is one of {@code nodes}; waits up
     * to {@code timeout} for an election.
     */
    public static ClusterView await(ControlClient control, List<String> nodes, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no node answered";
        while (System.nanoTime() < deadline) {
            for (String node : nodes) {
                var answer = control.tryGet(node, "/v1/cluster");
                if (answer.isEmpty() || !answer.get().ok()) {
                    continue;
                }
                JsonNode json = answer.get().json();
                String leader = json.path("leader").asText(null);
                if (leader == null) {
                    last = node + " knows no leader";
                    continue;
                }
                for (JsonNode m : json.path("members")) {
                    if (leader.equals(m.path("id").asText()) && nodes.contains(m.path("httpAddress").asText())) {
                        String address = m.path("httpAddress").asText();
                        List<String> followers = new ArrayList<>(nodes);
                        followers.remove(address);
                        return new ClusterView(leader, address, List.copyOf(followers));
                    }
                }
                last = node + " names leader " + leader + " whose httpAddress is not in " + nodes;
            }
            Thread.sleep(100);
        }
        throw new IOException("no leader after " + timeout.toSeconds() + "s: " + last);
    }
}
