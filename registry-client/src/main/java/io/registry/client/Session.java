package io.registry.client;

import io.registry.api.Headers;
import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one client has learned from the nodes' answers, so that it can send each request where it is
 * cheapest without losing what it has already seen.
 *
 * <p>Writes go to the leader: a follower would forward them there anyway, at a hop and about a
 * millisecond more per write. The client learns which of its configured nodes leads from two headers on
 * every answer, {@code X-Registry-Node} (who answered) and {@code X-Registry-Leader}; addresses the nodes
 * advertise are not used, since a client behind NAT or port mapping may not reach them.
 *
 * <p>Reads go to any node and carry {@code X-Registry-Min-Index}, the highest {@code X-Registry-Index}
 * this client has been given. A node first applies the log up to it, so the client reads its own writes
 * (and never goes back in time) on every node, also after failing over.
 */
final class Session {
    private final List<String> nodes;
    private final Map<String, String> nodeOfId = new ConcurrentHashMap<>();
    /** Nodes whose last try failed: not worth a write's detour while looking for the leader. */
    private final Set<String> failing = ConcurrentHashMap.newKeySet();
    private volatile String leaderId;
    private final AtomicLong highestIndex = new AtomicLong();

    Session(List<String> nodes) {
        this.nodes = nodes;
    }

    /** Learns from one node's answer: its id, the leader it names and, from a success, the index. */
    void learn(String node, int status, HttpHeaders headers) {
        failing.remove(node);
        headers.firstValue(Headers.NODE).ifPresent(id -> nodeOfId.put(id, node));
        headers.firstValue(Headers.LEADER).ifPresent(id -> leaderId = id);
        if (status >= 200 && status < 300) {
            headers.firstValue(Headers.INDEX).ifPresent(this::seen);
        }
    }

    private void seen(String index) {
        try {
            highestIndex.accumulateAndGet(Long.parseLong(index.trim()), Math::max);
        } catch (NumberFormatException ignored) {
            // not an index: nothing learned
        }
    }

    /** The node was unreachable or turned the request away: it may have lost the leadership. */
    void failed(String node) {
        failing.add(node);
        String leader = leaderId;
        if (leader != null && node.equals(nodeOfId.get(leader))) {
            leaderId = null;
        }
    }

    /**
     * Where a write should go first: the leader's position in the node list; while the leader is named but
     * none of the nodes heard from so far is it, a node not heard from yet that has not just failed (its
     * answer tells who it is, so after at most one write per node the leader is found); -1 when no leader is
     * known or none is left to try.
     */
    int writeTarget() {
        String leader = leaderId;
        if (leader == null) {
            return -1;
        }
        String node = nodeOfId.get(leader);
        if (node != null) {
            return nodes.indexOf(node);
        }
        for (int i = 0; i < nodes.size(); i++) {
            if (!nodeOfId.containsValue(nodes.get(i)) && !failing.contains(nodes.get(i))) {
                return i;
            }
        }
        return -1;   // the leader is not among this client's nodes: any of them forwards
    }

    /** The highest index this client has been given, 0 before its first. */
    long highestIndex() {
        return highestIndex.get();
    }
}
