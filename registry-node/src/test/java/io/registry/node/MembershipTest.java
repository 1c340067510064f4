package io.registry.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.registry.node.config.Peer;
import io.registry.node.testing.LocalCluster;
import io.registry.node.testing.TestHttp;
import io.registry.node.testing.TestHttp.Response;
import org.junit.jupiter.api.Test;

class MembershipTest {

    @Test
    void aFollowerThatMissedAMemberBeingAddedRemovesItAtOnceWhenAskedTo() {
        // A follower learns a new membership only when its entry reaches it. A change it computed from its
        // older list refused the new member as unknown (seen in CI, under load), and could have dropped a
        // member silently. Here the follower is down while n4 is added and is asked as soon as it is back.
        try (LocalCluster cluster = LocalCluster.start(3)) {
            String leader = cluster.httpAddress(cluster.leaderId());
            String behind = cluster.followerIds().get(0);
            cluster.stop(behind);

            Peer n4 = cluster.startJoining("n4");
            Response add = TestHttp.post(leader, "/v1/cluster/members", "{\"id\":\"n4\",\"raftAddress\":\""
                    + n4.raftAddress() + "\",\"httpAddress\":\"" + n4.httpAddress() + "\"}");
            assertThat(add.status()).as(add.body()).isEqualTo(200);
            assertThat(add.json().get("members").findValuesAsText("id")).containsExactlyInAnyOrder("n1", "n2", "n3", "n4");

            cluster.start(behind);
            Response remove = TestHttp.delete(cluster.httpAddress(behind), "/v1/cluster/members/n4");
            assertThat(remove.status()).as(remove.body()).isEqualTo(200);
            assertThat(remove.json().get("members").findValuesAsText("id")).containsExactlyInAnyOrder("n1", "n2", "n3");
            cluster.stop("n4");
        }
    }

    @Test
    void addingAMemberAgainAtTheSameAddressesSucceedsAndAtOtherAddressesIsRefused() {
        // A tool that lost the answer to an add retries it; the member is in, so the retry must not fail.
        try (LocalCluster cluster = LocalCluster.start(3)) {
            String node = cluster.httpAddress(cluster.followerIds().get(0));
            Peer n4 = cluster.startJoining("n4");
            String body = "{\"id\":\"n4\",\"raftAddress\":\"" + n4.raftAddress() + "\",\"httpAddress\":\""
                    + n4.httpAddress() + "\"}";
            Response first = TestHttp.post(node, "/v1/cluster/members", body);
            assertThat(first.status()).as(first.body()).isEqualTo(200);

            Response again = TestHttp.post(node, "/v1/cluster/members", body);
            assertThat(again.status()).as(again.body()).isEqualTo(200);
            assertThat(again.json().get("members").findValuesAsText("id")).containsExactlyInAnyOrder("n1", "n2", "n3", "n4");

            String host = n4.raftAddress().substring(0, n4.raftAddress().lastIndexOf(':'));
            Response moved = TestHttp.post(node, "/v1/cluster/members", "{\"id\":\"n4\",\"raftAddress\":\""
                    + n4.raftAddress() + "\",\"httpAddress\":\"" + host + ":1\"}");
            assertThat(moved.status()).as(moved.body()).isEqualTo(400);
            assertThat(moved.json().get("error").asText()).isEqualTo("invalid_member");
            assertThat(moved.json().get("message").asText()).contains("already in the cluster", n4.httpAddress());

            Response remove = TestHttp.delete(node, "/v1/cluster/members/n4");
            assertThat(remove.status()).as(remove.body()).isEqualTo(200);
            cluster.stop("n4");
        }
    }
}
