package io.registry.node.read;

import io.registry.api.Instance;
import io.registry.api.Responses;
import io.registry.api.Status;
import io.registry.statemachine.ratis.RegistryStateMachine;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Local reads of this replica. A service's view is built once per change and shared by every read
 * until the next change touches that service (the apply path calls {@link #invalidate}).
 */
public final class RegistryReader {
    private final RegistryStateMachine stateMachine;
    private final ConcurrentHashMap<String, ServiceView> views = new ConcurrentHashMap<>();

    public RegistryReader(RegistryStateMachine stateMachine) {
        this.stateMachine = stateMachine;
    }

    public ServiceView service(String service) {
        ServiceView cached = views.get(service);
        if (cached != null) {
            return cached;
        }
        // Built inside compute(): an invalidation racing with this build waits for it, then removes it,
        // so a view older than the state is never left behind.
        return views.compute(service, (name, old) -> stateMachine.read(state ->
                new ServiceView(name, state.serviceIndex(name), state.instances(name))));
    }

    /** Called after apply with the services it changed. */
    public void invalidate(Set<String> services) {
        if (services.size() > 1024) {
            views.clear();
        } else {
            services.forEach(views::remove);
        }
    }

    public Responses.Services services() {
        return stateMachine.read(state -> {
            List<Responses.ServiceSummary> list = new ArrayList<>();
            for (String name : state.serviceNames()) {
                List<Instance> instances = state.instances(name);
                int passing = (int) instances.stream().filter(i -> i.status() == Status.PASSING).count();
                list.add(new Responses.ServiceSummary(name, instances.size(), passing));
            }
            return new Responses.Services(state.registryIndex(), list);
        });
    }

    /** One instance as applied here, without building its service's view. */
    public java.util.Optional<Instance> instance(String service, String id) {
        return stateMachine.read(state -> state.instance(service, id));
    }

    public long registryIndex() {
        return stateMachine.read(state -> state.registryIndex());
    }
}
