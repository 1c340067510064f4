package io.registry.node.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.registry.api.Status;
import io.registry.node.config.HealthSettings;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ExpiryGuardTest {
    private final ExpiryGuard guard = new ExpiryGuard(new HealthSettings(0.5, 10, 5.0, 16));

    private static List<Due> lapsed(int n) {
        return IntStream.range(0, n).mapToObj(i -> Due.status("svc", "i" + i, i, Status.CRITICAL, true)).toList();
    }

    @Test
    void fewLapsesPassUnthrottled() {
        assertThat(guard.admit(lapsed(4), 20, 1000, 0)).hasSize(4);
        assertThat(guard.protecting()).isFalse();
    }

    @Test
    void smallRegistriesAreNeverProtected() {
        assertThat(guard.admit(lapsed(9), 9, 1000, 0)).hasSize(9);
        assertThat(guard.protecting()).isFalse();
    }

    @Test
    void massLapseEngagesProtectionAndDrainsAtTheBoundedRate() {
        List<Due> all = lapsed(20);
        int admitted = guard.admit(all, 20, 1000, 0).size();
        assertThat(guard.protecting()).isTrue();
        assertThat(admitted).isLessThanOrEqualTo(1);
        for (long t = 100; t <= 2000; t += 100) {
            admitted += guard.admit(all.subList(admitted, all.size()), 20, 1000, t).size();
        }
        assertThat(admitted).isBetween(9, 12); // 1 + 5/s over 2 s
        assertThat(guard.protecting()).isTrue();
    }

    @Test
    void protectionEndsWhenLapsesFallBackUnderTheShare() {
        guard.admit(lapsed(20), 20, 1000, 0);
        assertThat(guard.protecting()).isTrue();
        assertThat(guard.admit(lapsed(2), 20, 1000, 5000)).hasSize(2);
        assertThat(guard.protecting()).isFalse();
    }

    @Test
    void protectionHoldsWhileABacklogRemainsSoItIsNotReleasedInOneBurst() {
        List<Due> all = lapsed(20);
        int admitted = guard.admit(all, 20, 1000, 0).size();
        // 1 s later the window has emptied, but 19 are still held back: they keep draining at the rate.
        int next = guard.admit(all.subList(admitted, 20), 20, 1000, 1000).size();
        assertThat(guard.protecting()).isTrue();
        assertThat(next).isLessThanOrEqualTo(5);
    }

    @Test
    void lapsesAccumulatedAcrossOneWindowCount() {
        for (int t = 0; t < 6; t++) {
            guard.admit(lapsed(2), 20, 1000, t * 100L);
        }
        assertThat(guard.protecting()).isTrue(); // 12 within one TTL window
    }
}
