package io.registry.node.read;

import io.registry.api.Instance;
import java.util.List;

/** An immutable picture of one service at {@code index}: what every read of it until the next change sees. */
public record ServiceView(String service, long index, List<Instance> instances) {
}
