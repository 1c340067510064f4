package io.registry.statemachine.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.registry.api.Check;
import io.registry.api.CheckType;
import io.registry.api.Durations;
import io.registry.api.Instance;
import io.registry.api.Status;
import io.registry.statemachine.command.Batch;
import io.registry.statemachine.command.Command;
import io.registry.statemachine.command.Deregister;
import io.registry.statemachine.command.Expire;
import io.registry.statemachine.command.Register;
import io.registry.statemachine.command.SetStatus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Golden scenarios (STYLE.md §15): each file under {@code golden/} is a runbook of {@code apply} lines;
 * the {@code ->} result lines and the final {@code dump} are regenerated from the state machine and must
 * match the file. After a deliberate change, run with {@code -Dgolden.update=true} and review the diff.
 */
class GoldenScenarioTest {
    private static final String RESULT = "  -> ";
    private static final String MORE = "     ";
    private static final String MEMBER = "  + ";

    @ParameterizedTest
    @ValueSource(strings = {"lifecycle.txt", "batches.txt"})
    void scenarioMatchesItsTranscript(String name) throws IOException {
        String expected = read(name);
        String actual = run(expected);
        if (Boolean.getBoolean("golden.update")) {
            Path dir = Path.of(System.getProperty("golden.dir", "src/test/resources/golden"));
            Files.writeString(dir.resolve(name), actual, StandardCharsets.UTF_8);
            return;
        }
        if (!actual.equals(expected)) {
            Path out = Path.of("target", "golden", name + ".actual");
            Files.createDirectories(out.getParent());
            Files.writeString(out, actual, StandardCharsets.UTF_8);
        }
        assertThat(actual).as("golden/%s (actual written to target/golden/%s.actual)", name, name)
                .isEqualTo(expected);
    }

    private static String read(String name) throws IOException {
        try (InputStream in = GoldenScenarioTest.class.getResourceAsStream("/golden/" + name)) {
            assertThat(in).as("resource golden/" + name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Replays the transcript's apply lines, keeping comments and regenerating everything derived. */
    static String run(String transcript) {
        RegistryState state = new RegistryState();
        StringBuilder out = new StringBuilder();
        List<String> lines = transcript.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.equals("dump")) {
                break;
            }
            if (line.startsWith(RESULT) || line.startsWith(MORE) || line.startsWith(MEMBER)) {
                continue;
            }
            out.append(line).append('\n');
            if (line.startsWith("apply ")) {
                List<String> members = new ArrayList<>();
                while (i + 1 < lines.size() && lines.get(i + 1).startsWith(MEMBER)) {
                    members.add(lines.get(++i).substring(MEMBER.length()));
                }
                members.forEach(m -> out.append(MEMBER).append(m).append('\n'));
                applyLine(state, line, members, out);
            }
        }
        out.append("dump\n").append(dump(state));
        return out.toString();
    }

    private static void applyLine(RegistryState state, String line, List<String> members, StringBuilder out) {
        String[] words = line.split(" ", 4);
        long index = Long.parseLong(words[1]);
        long time = Long.parseLong(words[2].substring(1));
        Command command = words[3].equals("batch")
                ? new Batch(members.stream().map(GoldenScenarioTest::command).toList())
                : command(words[3]);
        Result result = state.apply(command, index, time);
        out.append(RESULT).append(render(result)).append('\n');
        if (result instanceof Result.Batched b) {
            for (int n = 0; n < b.results().size(); n++) {
                out.append(MORE).append(n + 1).append(". ").append(render(b.results().get(n))).append('\n');
            }
        }
    }

    // ---- commands: register SVC ID ADDR:PORT [opts] | deregister SVC ID | expire SVC ID observed=N
    //      | set-status SVC ID STATUS observed=N | batch (members follow on "  + " lines)

    static Command command(String text) {
        String[] w = text.trim().split("\\s+");
        switch (w[0]) {
            case "register":
                return register(w);
            case "deregister":
                return new Deregister(w[1], w[2]);
            case "expire":
                return new Expire(w[1], w[2], observed(w[3]));
            case "set-status":
                return new SetStatus(w[1], w[2], Status.fromWire(w[3]), observed(w[4]));
            case "batch":
                return new Batch(List.of());
            default:
                throw new IllegalArgumentException("unknown command in golden file: " + text);
        }
    }

    private static long observed(String word) {
        return Long.parseLong(word.substring("observed=".length()));
    }

    private static Command register(String[] w) {
        int colon = w[3].lastIndexOf(':');
        List<String> tags = new ArrayList<>();
        Map<String, String> meta = new TreeMap<>();
        Status status = null;
        String zone = null;
        int weight = 100;
        Check check = null;
        for (int i = 4; i < w.length; i++) {
            String[] kv = w[i].split("=", 2);
            String value = kv.length > 1 ? kv[1] : "";
            if (kv[0].startsWith("meta.")) {
                meta.put(kv[0].substring(5), value);
                continue;
            }
            switch (kv[0]) {
                case "tag" -> tags.add(value);
                case "status" -> status = Status.fromWire(value);
                case "zone" -> zone = value;
                case "weight" -> weight = Integer.parseInt(value);
                case "ttl" -> check = Check.ttl(Durations.parse(value));
                case "http" -> check = new Check(CheckType.HTTP, null, value, null, null, null, null, null);
                case "tcp" -> check = new Check(CheckType.TCP, null, null, null, null, null, null, null);
                default -> throw new IllegalArgumentException("unknown register option " + w[i]);
            }
        }
        return new Register(new Instance(w[1], w[2], w[3].substring(0, colon),
                Integer.parseInt(w[3].substring(colon + 1)), tags, meta, weight, zone, check, status, 0, 0, 0, 0));
    }

    // ---- rendering ------------------------------------------------------------------------------------

    static String render(Result r) {
        if (r instanceof Result.Stored s) {
            Instance i = s.instance();
            return "stored " + i.service() + "/" + i.id() + " " + i.status().wire() + " create=" + i.createIndex()
                    + " modify=" + i.modifyIndex() + " registeredAt=" + i.registeredAt() + " lastStatusChange="
                    + i.lastStatusChange();
        }
        if (r instanceof Result.Removed rm) {
            return "removed " + rm.instance().service() + "/" + rm.instance().id() + " modify="
                    + rm.instance().modifyIndex();
        }
        if (r instanceof Result.Rejected rj) {
            return "rejected " + rj.code() + ": " + rj.message();
        }
        if (r instanceof Result.Ignored ig) {
            return "ignored: " + ig.reason();
        }
        return "batched";
    }

    static String dump(RegistryState state) {
        StringBuilder out = new StringBuilder();
        out.append("  lastIndex=").append(state.lastIndex()).append(" registryIndex=").append(state.registryIndex())
                .append(" instances=").append(state.size()).append('\n');
        for (String service : state.indexedServices()) {
            out.append("  service ").append(service).append(" index=").append(state.serviceIndex(service)).append('\n');
            for (Instance i : state.instances(service)) {
                out.append("    ").append(describe(i)).append('\n');
            }
        }
        return out.toString();
    }

    private static String describe(Instance i) {
        return i.id() + " " + i.address() + ":" + i.port() + " " + i.status().wire() + " weight=" + i.weight()
                + (i.zone() == null ? "" : " zone=" + i.zone()) + " tags=" + i.tags() + " meta="
                + new TreeMap<>(i.metadata()) + " check=" + describe(i.check()) + " create=" + i.createIndex()
                + " modify=" + i.modifyIndex() + " registeredAt=" + i.registeredAt() + " lastStatusChange="
                + i.lastStatusChange();
    }

    private static String describe(Check c) {
        String type = c.type().name().toLowerCase(Locale.ROOT);
        return switch (c.type()) {
            case NONE -> type;
            case TTL -> type + ":" + Durations.format(c.ttl());
            case HTTP -> type + ":" + c.url() + "/" + Durations.format(c.interval());
            case TCP -> type + "/" + Durations.format(c.interval());
        };
    }
}
