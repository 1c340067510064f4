package io.registry.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.registry.api.Headers;
import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionTest {
    private static final List<String> NODES = List.of("a:1", "b:2", "c:3");

    private static HttpHeaders headers(String... nameValue) {
        Map<String, List<String>> map = new java.util.TreeMap<>();
        for (int i = 0; i + 1 < nameValue.length; i += 2) {
            map.put(nameValue[i], List.of(nameValue[i + 1]));
        }
        return HttpHeaders.of(map, (k, v) -> true);
    }

    private static HttpHeaders from(String node, String leader) {
        return headers(Headers.NODE, node, Headers.LEADER, leader);
    }

    @Test
    void writesLookForTheLeaderAmongTheNodesNotHeardFromAndThenGoStraightToIt() {
        Session session = new Session(NODES);
        assertThat(session.writeTarget()).as("no leader named yet").isEqualTo(-1);

        session.learn("a:1", 200, from("n1", "n3"));
        assertThat(session.writeTarget()).as("n3 is not a:1; b:2 is the first not heard from").isEqualTo(1);
        session.learn("b:2", 200, from("n2", "n3"));
        assertThat(session.writeTarget()).isEqualTo(2);
        session.learn("c:3", 200, from("n3", "n3"));
        assertThat(session.writeTarget()).isEqualTo(2);

        session.learn("a:1", 200, from("n1", "n1"));   // leadership moved
        assertThat(session.writeTarget()).isEqualTo(0);
    }

    @Test
    void aNodeThatFailedIsNotTriedWhileLookingAndALeaderThatFailedIsForgotten() {
        Session session = new Session(NODES);
        session.learn("a:1", 200, from("n1", "n3"));
        session.failed("b:2");   // down, or silent until the connect timeout
        assertThat(session.writeTarget()).isEqualTo(2);
        session.failed("c:3");
        assertThat(session.writeTarget()).as("nobody left to try: go where reads go").isEqualTo(-1);

        session.learn("c:3", 200, from("n3", "n3"));
        assertThat(session.writeTarget()).isEqualTo(2);
        session.failed("c:3");
        assertThat(session.writeTarget()).as("the leader failed: forgotten until named again").isEqualTo(-1);
        session.learn("b:2", 503, from("n2", "n2"));
        assertThat(session.writeTarget()).isEqualTo(1);
    }

    @Test
    void theIndexReadsCarryIsTheHighestOfAnySuccessfulAnswer() {
        Session session = new Session(NODES);
        assertThat(session.highestIndex()).isZero();
        session.learn("a:1", 200, headers(Headers.INDEX, "12"));
        session.learn("b:2", 200, headers(Headers.INDEX, "9"));
        session.learn("c:3", 503, headers(Headers.INDEX, "40"));
        session.learn("c:3", 200, headers(Headers.INDEX, "not a number"));
        assertThat(session.highestIndex()).isEqualTo(12);
    }
}
