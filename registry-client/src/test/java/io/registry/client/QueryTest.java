package io.registry.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class QueryTest {
    @Test
    void emptyQueryHasNoQueryString() {
        assertThat(Query.all().toQueryString()).isEmpty();
        assertThat(Query.all().holdTime()).isEqualTo(Duration.ZERO);
    }

    @Test
    void filtersAreEncodedInTheOrderOfTheApi() {
        Query q = Query.all().healthy().passing().tag("v2").tag("a b").zone("eu-1").meta("team", "core&ops")
                .consistency(Consistency.LINEARIZABLE);
        assertThat(q.toQueryString()).isEqualTo(
                "?healthy=true&passing=true&tag=v2&tag=a%20b&zone=eu-1&meta.team=core%26ops&consistency=linearizable");
    }

    @Test
    void blockingQueryCarriesIndexAndWaitAndHoldsThatLong() {
        Query q = Query.all().blocking(17, Duration.ofSeconds(30));
        assertThat(q.toQueryString()).isEqualTo("?index=17&wait=30000ms");
        assertThat(q.holdTime()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void queriesAreImmutable() {
        Query base = Query.all();
        base.tag("x");
        assertThat(base.toQueryString()).isEmpty();
    }
}
