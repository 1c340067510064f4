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
}
