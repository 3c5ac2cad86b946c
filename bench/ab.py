#!/usr/bin/env python3
"""bench/ab.sh's driver, inside its namespace: bench/run.sh's workload at one size, one exporter per --jar
(the image's flags, its own AOT cache, --extra flags), scraped in rotating order; node_exporter too."""
import argparse, os, re, subprocess, sys, time, statistics, json
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import driver as d

ap = argparse.ArgumentParser()
ap.add_argument("--jar", action="append", required=True)
ap.add_argument("--extra", action="append", default=[])
ap.add_argument("--args", action="append", default=[])  # the exporter's own flags for the jar of the same position
ap.add_argument("--scale", type=int, default=1000)
ap.add_argument("--rounds", type=int, default=150)
ap.add_argument("--warmup", type=int, default=40)
ap.add_argument("--warmup-interval", type=float, default=0)  # seconds between two warm-up rounds, as a scrape interval would leave
ap.add_argument("--jfr", default="")  # JFR option string appended to each jar's JVM
ap.add_argument("--out", required=True)
ap.add_argument("--flags", required=True)
ap.add_argument("--java", required=True)
ap.add_argument("--jcmd", required=True)
ap.add_argument("--load", required=True)
ap.add_argument("--no-node", action="store_true")
a = ap.parse_args()
os.makedirs(a.out, exist_ok=True)
flags = a.flags.split()


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        return {k: round(int(v.split()[0]) / 1024, 1) for k, v in (l.split(":", 1) for l in f) if k in ("VmRSS", "RssAnon", "RssFile")}


class Exp:
    def __init__(self, i, jar, extra, args=""):
        self.i, self.port = i, 10170 + i
        self.gclog = os.path.join(a.out, f"gc-{i}.log")
        aot = os.path.join(a.out, f"app-{i}.aot")
        if not os.path.exists(aot):
            p = subprocess.run([a.java, *flags, *extra.split(), f"-XX:AOTCacheOutput={aot}", "-jar", jar, "train"],
                               capture_output=True, text=True, timeout=600)
            if p.returncode:
                print(p.stderr[-2000:], file=sys.stderr)
        jfr = []
        if a.jfr:
            jfr = [f"-XX:StartFlightRecording:filename={a.out}/rec-{i}.jfr,{a.jfr}"]
        argv = [a.java, *flags, *extra.split(), f"-XX:AOTCache={aot}", *jfr, f"-Xlog:gc*:file={self.gclog}",
                "-jar", jar, f"--web.listen-address=127.0.0.1:{self.port}", *args.split()]
        self.p = d.start(argv, stdout=subprocess.DEVNULL, stderr=open(os.path.join(a.out, f"err-{i}.log"), "w"))
        self.pid = self.p.pid
        t0 = time.time()
        self.t_start = t0
        while True:
            try:
                if d.scrape(self.port)[1] == 200:
                    break
            except OSError:
                time.sleep(0.01)
            if time.time() - t0 > 60:
                raise RuntimeError("no start")
        self.cpu_started = d.cpu_seconds(self.pid)  # start-up and the first scrape

    def threads_cpu(self):
        """CPU seconds by thread name: the JIT's and the GC's share of the process's CPU."""
        by = {}
        for t in os.listdir(f"/proc/{self.pid}/task"):
            try:
                with open(f"/proc/{self.pid}/task/{t}/stat") as f:
                    s = f.read()
            except OSError:
                continue
            name = s[s.index("(") + 1:s.rindex(")")]
            fields = s.rsplit(")", 1)[1].split()
            by[name] = by.get(name, 0) + (int(fields[11]) + int(fields[12])) / d.CLK_TCK
        return by

    def sys_and_faults(self):
        """The process's system CPU seconds (stime: the kernel's share, the socket dump's work in it) and minor page faults."""
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[12]) / d.CLK_TCK, int(fields[7])

    def scrape(self):
        c0 = d.cpu_seconds(self.p.pid)
        w, st, body = d.scrape(self.port)
        c = d.cpu_seconds(self.p.pid) - c0
        assert st == 200 and d.our_ok(body), st
        return w, c, body

    def gcs(self):
        with open(self.gclog) as f:
            return len(set(re.findall(r"GC\((\d+)\) Pause", f.read())))

    def pauses_ms(self, start_gc, end_gc):
        """Pause milliseconds of the young and the full GCs numbered [start_gc, end_gc), from the -Xlog:gc line."""
        young = full = 0.0
        with open(self.gclog) as f:
            for m in re.finditer(r"GC\((\d+)\) Pause (Young|Full) .* (\d+\.\d+)ms", f.read()):
                if start_gc <= int(m.group(1)) < end_gc:
                    if m.group(2) == "Young":
                        young += float(m.group(3))
                    else:
                        full += float(m.group(3))
        return young, full


wl = d.Workload(a.load)
wl.established(a.scale // 20, 7200)
wl.time_wait(a.scale)
exps = [Exp(i, j, a.extra[i] if i < len(a.extra) else "", a.args[i] if i < len(a.args) else "")
        for i, j in enumerate(a.jar)]
node = None
if not a.no_node:
    node = d.start(["prometheus-node-exporter", "--web.listen-address=127.0.0.1:9100", "--collector.disable-defaults",
                    "--collector.conntrack", "--collector.netstat", "--collector.sockstat", "--collector.tcpstat"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
for _ in range(a.warmup):
    wl.keep_fresh()
    for e in exps:
        e.scrape()
    time.sleep(a.warmup_interval)
cpu_warm = [d.cpu_seconds(e.pid) for e in exps]
t_warm = time.time()
threads_warm = [e.threads_cpu() for e in exps]
heap0 = [d.Exporter.heap_used_kib(e, a.jcmd) for e in exps]
gcstart = [d.Exporter.gc_count(e) for e in exps]
sys_warm = [e.sys_and_faults() for e in exps]
res = {e.i: ([], []) for e in exps}
# VmRSS after each of a build's scrapes in the rounds: one reading at the end falls anywhere in the old generation's cycle
rss_rounds = {e.i: [] for e in exps}
res["node"] = ([], [])
for r in range(a.rounds):
    wl.keep_fresh()
    order = exps[r % len(exps):] + exps[:r % len(exps)]
    for e in order:
        w, c, _ = e.scrape()
        res[e.i][0].append(w), res[e.i][1].append(c)
        rss_rounds[e.i].append(rss_mib(e.pid)["VmRSS"])
    if node:
        c0 = d.cpu_seconds(node.pid)
        w, st, _ = d.scrape(9100)
        res["node"][0].append(w), res["node"][1].append(d.cpu_seconds(node.pid) - c0)
sys_end = [e.sys_and_faults() for e in exps]  # before jcmd attaches below
out = {}
for e in exps:
    heap1 = d.Exporter.heap_used_kib(e, a.jcmd)
    gc1 = d.Exporter.gc_count(e)
    freed, gcs = d.Exporter.gc_freed_kib(e, gcstart[e.i], gc1)
    w, c = res[e.i]
    total = d.cpu_seconds(e.pid)
    th = e.threads_cpu()
    cc = subprocess.run([a.jcmd, str(e.pid), "Compiler.codecache"], capture_output=True, text=True).stdout
    cc_used = re.search(r"used=(\d+)Kb max_used=(\d+)Kb", cc)
    jit = lambda by: sum(v for k, v in by.items() if "Compiler" in k)
    out[f"{e.i}:{a.jar[e.i]} {a.extra[e.i] if e.i < len(a.extra) else ''}"] = {
        "median_ms": round(statistics.median(w) * 1e3, 2), "cpu_ms_mean": round(statistics.mean(c) * 1e3, 2),
        "alloc_kib_per_scrape": round((heap1 - heap0[e.i] + freed) / a.rounds, 1), "gcs_per_scrape": round(gcs / a.rounds, 2),
        "rss_mib": rss_mib(e.pid),
        "rss_rounds_mib": {"min": min(rss_rounds[e.i]), "mean": round(statistics.mean(rss_rounds[e.i]), 1),
                           "max": max(rss_rounds[e.i])},
        # system CPU ms and minor page faults a scrape over the rounds, idle time between scrapes included: the
        # kernel's part of cpu_ms_mean, and how much of it is the heap's pages given back and touched again
        "sys_ms_per_scrape": round((sys_end[e.i][0] - sys_warm[e.i][0]) * 1e3 / a.rounds, 2),
        "minor_faults_per_scrape": round((sys_end[e.i][1] - sys_warm[e.i][1]) / a.rounds),
        # GC pause ms a scrape over the rounds (young, full): the GC threads' share of CPU a scrape under SerialGC
        "gc_pause_ms_per_scrape": [round(t / a.rounds, 2) for t in e.pauses_ms(gcstart[e.i], gc1)],
        "codecache_kib": {"used": int(cc_used[1]), "max_used": int(cc_used[2])} if cc_used else cc[-200:],
        # CPU seconds of the process: at its first answered scrape, after the warm-up, at the end
        # (1 + warmup + rounds scrapes), and the JIT compiler threads' share of them
        "cpu_s": {"started": round(e.cpu_started, 2), "after_warmup": round(cpu_warm[e.i], 2), "end": round(total, 2),
                  "scrapes_total": round(total - e.cpu_started, 2),
                  "jit_warmup": round(jit(threads_warm[e.i]), 2), "jit_end": round(jit(th), 2),
                  "rounds_by_thread": dict(sorted(((k, round(v - threads_warm[e.i].get(k, 0), 2)) for k, v in th.items()
                                                   if v - threads_warm[e.i].get(k, 0) >= 0.01), key=lambda kv: -kv[1]))},
        # seconds since the JVM's start at the end of the warm-up and of the rounds (to read -Xlog uptimes against)
        "uptime_s": {"after_warmup": round(t_warm - e.t_start, 2), "end": round(time.time() - e.t_start, 2)}}
if node:
    w, c = res["node"]
    out["node_exporter"] = {"median_ms": round(statistics.median(w) * 1e3, 2), "cpu_ms_mean": round(statistics.mean(c) * 1e3, 2)}
for k, v in out.items():
    print(k, v)
json.dump(out, open(os.path.join(a.out, "ab.json"), "w"), indent=1)
for e in exps:
    if a.jfr:
        subprocess.run([a.jcmd, str(e.p.pid), "JFR.dump", f"filename={a.out}/rec-{e.i}.jfr"], capture_output=True)
