package io.registry.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU used by the bench and the local node processes over a window, from {@code /proc} (Linux), in % of
 * one core: on 2 cores the sum of all processes is at most 200. {@code machine} is the whole machine's
 * busy share in % of all cores, {@code other} the CPU of every other process in % of one core. Unreadable processes (remote nodes, exited ones) are left out.
 * {@code jit} is the part of the nodes' CPU spent by their JIT compiler threads: on a slow machine C2 was
 * still taking a fifth of each node two minutes into a run (docs/BENCHMARKS.md, session 11), and a figure
 * that includes that much compiling says little about the steady state.
 */
public final class CpuMeter {
    /** The label of the nodes' JIT compiler threads' share, a part of the nodes' CPU and not a process. */
    public static final String JIT = "jit";
    /** USER_HZ, the unit of utime/stime in /proc/PID/stat; 100 on every mainstream Linux build. */
    private static final double TICKS_PER_SECOND = 100.0;

    private final Map<String, Long> pids;
    private final Map<String, Long> startTicks = new LinkedHashMap<>();
    private long[] startMachine;
    private long startFamily;
    private long startJit;
    private long startNanos;

    public CpuMeter(Map<String, Long> pidsByLabel) {
        this.pids = new LinkedHashMap<>();
        this.pids.put("bench", ProcessHandle.current().pid());
        this.pids.putAll(pidsByLabel);
    }

    public CpuMeter start() {
        startNanos = System.nanoTime();
        pids.forEach((label, pid) -> {
            long t = ticks(pid);
            if (t >= 0) {
                startTicks.put(label, t);
            }
        });
        startMachine = machine();
        startFamily = familyTicks();
        startJit = nodesCompilerTicks();
        return this;
    }

    public Map<String, Double> stop() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        Map<String, Double> out = new LinkedHashMap<>();
        startTicks.forEach((label, before) -> {
            long after = ticks(pids.get(label));
            if (after >= before && seconds > 0) {
                out.put(label, 100.0 * (after - before) / TICKS_PER_SECOND / seconds);
            }
        });
        long jit = nodesCompilerTicks();
        if (startJit >= 0 && jit >= startJit && seconds > 0) {
            out.put(JIT, 100.0 * (jit - startJit) / TICKS_PER_SECOND / seconds);
        }
        long[] end = machine();
        if (startMachine != null && end != null && end[1] > startMachine[1]) {
            double machine = 100.0 * (end[0] - startMachine[0]) / (end[1] - startMachine[1]);
            long family = familyTicks();
            double ours = family >= startFamily && startFamily >= 0
                    ? 100.0 * (family - startFamily) / TICKS_PER_SECOND / seconds
                    : out.values().stream().mapToDouble(Double::doubleValue).sum();
            out.put("machine", machine);
            // Everything else on the machine (other builds, containers), in % of one core like the rest.
            out.put("other", Math.max(0, machine * Runtime.getRuntime().availableProcessors() - ours));
        }
        return out;
    }

    /**
     * CPU ticks of this process and all it started: its own, those of exited children it reaped (cutime,
     * cstime; the JDK reaps every child) and those of children still running. A node killed during the window
     * moves from the last term to the second, so the difference over a window stays right across restarts.
     */
    static long familyTicks() {
        try {
            String[] f = fieldsAfterName(Files.readString(Path.of("/proc/self/stat")));
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
            for (ProcessHandle child : ProcessHandle.current().descendants().toList()) {
                long t = ticks(child.pid());
                ticks += Math.max(0, t);
            }
            return ticks;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The JIT compiler threads' ticks summed over the node processes (not the bench), or -1. */
    private long nodesCompilerTicks() {
        long sum = 0;
        boolean any = false;
        for (Map.Entry<String, Long> e : pids.entrySet()) {
            if (!e.getKey().equals("bench")) {
                long t = compilerTicks(e.getValue());
                if (t >= 0) {
                    sum += t;
                    any = true;
                }
            }
        }
        return any ? sum : -1;
    }

    /**
     * utime + stime of a JVM's C1 and C2 compiler threads (their names, cut to 15 characters by the kernel,
     * start "C1 CompilerThre", "C2 CompilerThre"), or -1 when it has none that can be read. A compiler thread
     * the JVM retires during the window takes its ticks with it, so this can only understate.
     */
    static long compilerTicks(long pid) {
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            long sum = 0;
            boolean any = false;
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
                        sum += parseStat(stat);
                        any = true;
                    }
                } catch (IOException | RuntimeException exited) {
                    // the thread ended while we listed them
                }
            }
            return any ? sum : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static String[] fieldsAfterName(String stat) {
        return stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
    }

    /** utime + stime of a process in ticks, or -1 when it cannot be read. */
    static long ticks(long pid) {
        try {
            return parseStat(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The command name may hold spaces and parentheses, so fields are counted after the last ')'. */
    static long parseStat(String stat) {
        String[] fields = fieldsAfterName(stat);
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** {busy, total} jiffies of all cores from /proc/stat, or null. */
    private static long[] machine() {
        try {
            String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = first.trim().split(" +");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
