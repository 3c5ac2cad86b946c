#!/usr/bin/env python3
"""Benchmark driver. bench/run.sh starts it inside the benchmark's own network namespace; it starts
the workload (bench/load), our exporter, node_exporter and ss there, measures them side by side and
writes results.json and results.md. Every process it starts is stopped before it returns."""
import argparse
import atexit
import gzip
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
OUR_PORT = 10071
BASE_PORT = 10072  # the baseline build (BENCH_BASELINE_JAR), when one is measured beside ours
NODE_PORT = 9100
TW_DEST_IPS, TW_DEST_PORTS, TW_SOURCES, TW_PORT_BASE = 10, 5, 4, 9000  # 50 destinations, 4 sources
EST_PROCS, EST_LISTENERS_PER_PROC, EST_PORT_BASE = 5, 20, 8000  # 100 listeners
TW_REFRESH_AFTER = 45.0  # seconds: TIME_WAIT lasts 60 s, re-create well before it runs out

children = []


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


def stop(p, grace=5.0):
    if p.poll() is not None:
        return
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(grace)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait(5)


def stop_all():
    for p in reversed(children):
        try:
            stop(p)
        except Exception as e:  # keep stopping the others
            log("stop", p.pid, e)


atexit.register(stop_all)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))


def start(argv, **kw):
    p = subprocess.Popen(argv, **kw)
    children.append(p)
    return p


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def status_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return None


def scrape(port, path="/metrics", timeout=60):
    """One scrape as Prometheus makes it (text format, gzip). Wall time until the body is read."""
    t0 = time.perf_counter()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path, headers={"Accept": "text/plain;version=0.0.4", "Accept-Encoding": "gzip"})
        r = c.getresponse()
        body = r.read()
        wall = time.perf_counter() - t0
    finally:
        c.close()
    if r.getheader("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return wall, r.status, body.decode()


def metric_values(text, name):
    """{labels: value} of every sample of one metric name."""
    out = {}
    for m in re.finditer(r"^" + re.escape(name) + r"(\{[^}]*\})? (\S+)", text, re.M):
        out[m.group(1) or ""] = float(m.group(2))
    return out


def our_ok(text):
    return metric_values(text, "footgun_scrape_collector_success").get('{collector="sockets"}') == 1.0


def our_sockets(text):
    return int(sum(metric_values(text, "footgun_tcp_sockets").values()))


def node_sockets(text):
    return int(sum(v for k, v in metric_values(text, "node_tcp_connection_states").items() if "queued_bytes" not in k))


def run_timed(argv):
    """Runs a command to completion: (wall seconds, CPU seconds of the child from wait4)."""
    t0 = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, os.environ,
                          file_actions=[(os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0)])
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{argv} failed: {status}")
    return wall, ru.ru_utime + ru.ru_stime


def sockstat():
    with open("/proc/net/sockstat") as f:
        line = next(l for l in f if l.startswith("TCP:"))
    v = line.split()[1:]
    return dict(zip(v[::2], map(int, v[1::2])))


def wait_ready(p, what, timeout=120):
    t_end = time.time() + timeout
    line = p.stdout.readline()
    if line.strip() != "ready" or time.time() > t_end:
        raise RuntimeError(f"{what} did not get ready: {line!r}")


def pct(values, q):
    """Nearest-rank percentile: with 30 samples p99 is the largest."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, -(-len(s) * q // 100) - 1))
    return s[int(k)]


class Workload:
    def __init__(self, load_bin):
        self.load = load_bin
        self.est = []
        self.tw_at = 0.0
        self.tw_n = 0

    def established(self, conns, seconds):
        for p in self.est:
            stop(p)
        self.est = []
        time.sleep(0.5)  # let the closed connections' FINs settle
        per = [conns // EST_PROCS + (1 if i < conns % EST_PROCS else 0) for i in range(EST_PROCS)]
        for i, n in enumerate(per):
            p = start([self.load, "estab", str(n), str(EST_LISTENERS_PER_PROC),
                       str(EST_PORT_BASE + i * EST_LISTENERS_PER_PROC), str(seconds)],
                      stdout=subprocess.PIPE, text=True)
            wait_ready(p, f"load estab {n}")
            self.est.append(p)

    def time_wait(self, n):
        """Drops the TIME_WAIT sockets there are and makes n fresh ones (60 s of life from now)."""
        subprocess.run(["ss", "-K", "state", "time-wait"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t0 = time.time()
        subprocess.run([self.load, "tw", str(n), str(TW_DEST_IPS), str(TW_DEST_PORTS), str(TW_SOURCES),
                        str(TW_PORT_BASE)], check=True, stderr=subprocess.DEVNULL)
        self.tw_at, self.tw_n = t0, n
        log(f"  {n} TIME_WAIT made in {time.time() - t0:.1f} s; sockstat {sockstat()}")

    def keep_fresh(self):
        if self.tw_n and time.time() - self.tw_at > TW_REFRESH_AFTER:
            self.time_wait(self.tw_n)


class Exporter:
    """Our exporter, started fresh: java with the image's flags, AOT cache and memory limit (bench/run.sh)."""

    def __init__(self, java, jar, flags, gclog, extra=(), port=OUR_PORT, stdout=subprocess.DEVNULL):
        self.gclog = gclog
        self.port = port
        argv = [java, *flags, *extra, f"-Xlog:gc*:file={gclog}", "-jar", jar,
                f"--web.listen-address=127.0.0.1:{port}"]
        self.argv = argv
        self.t0 = time.perf_counter()
        self.p = start(argv, stdout=stdout, stderr=subprocess.PIPE, text=True)
        self.pid = self.p.pid
        self.scrapes = 0

    def first_success(self, timeout=60):
        """Seconds from process start to the first scrape with the sockets collector successful."""
        while time.perf_counter() - self.t0 < timeout:
            if self.p.poll() is not None:
                raise RuntimeError("exporter exited: " + self.p.stderr.read())
            try:
                _, status, body = scrape(self.port)
                self.scrapes += 1
                if status == 200 and our_ok(body):
                    return time.perf_counter() - self.t0
            except OSError:
                time.sleep(0.005)
        raise RuntimeError("exporter never answered")

    def scrape(self):
        c0 = cpu_seconds(self.pid)
        wall, status, body = scrape(self.port)
        cpu = cpu_seconds(self.pid) - c0
        self.scrapes += 1
        if status != 200 or not our_ok(body):
            raise RuntimeError(f"our scrape failed: {status}")
        return wall, cpu, body

    def heap_used_kib(self, jcmd):
        out = subprocess.run([jcmd, str(self.pid), "GC.heap_info"], capture_output=True, text=True, check=True).stdout
        return sum(int(x) for x in re.findall(r"^\s*(?:DefNew|Tenured)\s+total \d+K, used (\d+)K", out, re.M))

    def gc_freed_kib(self, start_gc, end_gc):
        """Heap freed by the GCs numbered [start_gc, end_gc) per the gc+heap log (young and full)."""
        before, after = {}, {}
        with open(self.gclog) as f:
            for m in re.finditer(r"GC\((\d+)\) (?:DefNew|Tenured): (\d+)K\(\d+K\)->(\d+)K", f.read()):
                n = int(m.group(1))
                before[n] = before.get(n, 0) + int(m.group(2))
                after[n] = after.get(n, 0) + int(m.group(3))
        return sum(before[n] - after[n] for n in before if start_gc <= n < end_gc), \
            len([n for n in before if start_gc <= n < end_gc])

    def gc_count(self):
        with open(self.gclog) as f:
            ids = re.findall(r"GC\((\d+)\) (?:DefNew|Tenured):", f.read())
        return max(map(int, ids)) + 1 if ids else 0

    def stop(self):
        stop(self.p)


def summary(walls, cpus=None):
    d = {"n": len(walls), "median_ms": statistics.median(walls) * 1e3, "p99_ms": pct(walls, 99) * 1e3,
         "min_ms": min(walls) * 1e3, "max_ms": max(walls) * 1e3}
    if cpus is not None:
        d["cpu_ms_mean"] = sum(cpus) / len(cpus) * 1e3
    return d


def concurrency(exp, n_pairs=7):
    """Median wall and exporter CPU of one scrape alone vs two sent together (a barrier releases both)."""
    singles, pairs, cpu1, cpu2 = [], [], [], []
    for _ in range(n_pairs):
        w, c, _ = exp.scrape()
        singles.append(w)
        cpu1.append(c)
        barrier = threading.Barrier(2)
        res = []

        def one():
            barrier.wait()
            res.append(scrape(OUR_PORT))

        c0 = cpu_seconds(exp.pid)
        t0 = time.perf_counter()
        ts = [threading.Thread(target=one) for _ in range(2)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        pairs.append(time.perf_counter() - t0)
        cpu2.append(cpu_seconds(exp.pid) - c0)
        exp.scrapes += 2
        if not all(r[1] == 200 and our_ok(r[2]) for r in res):
            raise RuntimeError("concurrent scrape failed")
    return {"single_median_ms": statistics.median(singles) * 1e3, "pair_median_ms": statistics.median(pairs) * 1e3,
            "single_cpu_ms_mean": sum(cpu1) / len(cpu1) * 1e3, "pair_cpu_ms_mean": sum(cpu2) / len(cpu2) * 1e3}


def strace_sendto(exp, burst):
    """netlink requests (sendto calls) the exporter makes while serving `burst` scrapes sent together."""
    out = exp.gclog + f".strace{burst}"
    st = start(["strace", "-f", "-c", "-e", "trace=sendto", "-o", out, "-p", str(exp.pid)],
               stderr=subprocess.DEVNULL)
    time.sleep(1.5)  # attach to every thread
    barrier = threading.Barrier(burst)
    res = []

    def one():
        barrier.wait()
        res.append(scrape(OUR_PORT, timeout=120))

    ts = [threading.Thread(target=one) for _ in range(burst)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    exp.scrapes += burst
    time.sleep(0.5)
    st.send_signal(signal.SIGINT)
    st.wait(10)
    with open(out) as f:
        text = f.read()
    m = re.search(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?sendto", text, re.M)
    ok = sum(1 for r in res if r[1] == 200 and our_ok(r[2]))
    return {"burst": burst, "ok": ok, "sendto_calls": int(m.group(1)) if m else 0}


def netlink_requests_per_read(exp):
    return strace_sendto(exp, 1)["sendto_calls"]


def measure_scale(a, wl, scale, res):
    tw = scale
    est = scale // 20
    log(f"scale {scale}: {tw} TIME_WAIT, {est} established connections, "
        f"{EST_PROCS * EST_LISTENERS_PER_PROC} listeners")
    wl.established(est, a.max_seconds)
    wl.time_wait(tw)
    r = {"time_wait": tw, "established_connections": est, "listeners": EST_PROCS * EST_LISTENERS_PER_PROC}
    exp = Exporter(a.java, a.jar, image_flags(a), os.path.join(a.out, f"gc-{scale}.log"))
    r["our_first_scrape_s"] = exp.first_success()
    log(f"  exporter first successful scrape {r['our_first_scrape_s']:.3f} s after start")
    base = None
    if a.baseline_jar:
        base = Exporter(a.java, a.baseline_jar, image_flags(a, base=True), os.path.join(a.out, f"gc-{scale}-baseline.log"),
                        port=BASE_PORT)
        r["baseline_first_scrape_s"] = base.first_success()
    for _ in range(a.warmup):
        wl.keep_fresh()
        exp.scrape()
        if base:
            base.scrape()
    for _ in range(5):
        scrape(NODE_PORT)
        run_timed(["ss", "-tain"])
    wl.keep_fresh()
    heap0 = exp.heap_used_kib(a.jcmd)
    gc0 = exp.gc_count()
    if base:
        base_heap0, base_gc0 = base.heap_used_kib(a.jcmd), base.gc_count()
    for _ in range(5):
        run_timed([a.floor])
    ours, node, ss_all, ss_default, baseline, floor = ([], []), ([], []), ([], []), ([], []), ([], []), ([], [])
    seen_ours, seen_node, seen_tw, seen_base = [], [], [], []
    node_alloc0 = None
    node_alloc_scrapes = 0
    for i in range(a.scrapes):
        wl.keep_fresh()
        seen_tw.append(sockstat()["tw"])

        def do_ours():
            w, c, body = exp.scrape()
            ours[0].append(w), ours[1].append(c), seen_ours.append(our_sockets(body))

        def do_node():
            nonlocal node_alloc0, node_alloc_scrapes
            c0 = cpu_seconds(a.node_pid)
            w, status, body = scrape(NODE_PORT)
            node[0].append(w), node[1].append(cpu_seconds(a.node_pid) - c0)
            if status != 200:
                raise RuntimeError("node_exporter scrape failed")
            seen_node.append(node_sockets(body))
            alloc = metric_values(body, "go_memstats_alloc_bytes_total").get("")
            if node_alloc0 is None:
                node_alloc0 = alloc
            else:
                node_alloc_scrapes += 1
                r["node_alloc_per_scrape_bytes"] = (alloc - node_alloc0) / node_alloc_scrapes
            r["node_rss_kib"] = status_kib(a.node_pid, "VmRSS")

        def do_ss_all():
            w, c = run_timed(["ss", "-tain"])
            ss_all[0].append(w), ss_all[1].append(c)

        def do_ss_default():
            w, c = run_timed(["ss", "-tin"])
            ss_default[0].append(w), ss_default[1].append(c)

        def do_base():
            w, c, body = base.scrape()
            baseline[0].append(w), baseline[1].append(c), seen_base.append(our_sockets(body))

        def do_floor():
            w, c = run_timed([a.floor])
            floor[0].append(w), floor[1].append(c)

        steps = [do_ours, do_node, do_ss_all, do_ss_default, do_floor] + ([do_base] if base else [])
        for k in range(len(steps)):  # rotate the order so no tool always runs first
            steps[(i + k) % len(steps)]()
    heap1 = exp.heap_used_kib(a.jcmd)
    gc1 = exp.gc_count()
    freed, gcs = exp.gc_freed_kib(gc0, gc1)
    # the jcmd attach itself allocates a little; it is inside the window once, spread over the scrapes
    r["our_alloc_per_scrape_bytes"] = (heap1 - heap0 + freed) * 1024 / a.scrapes
    r["our_gcs_per_scrape"] = gcs / a.scrapes
    if base:
        freed, gcs = base.gc_freed_kib(base_gc0, base.gc_count())
        r["baseline_alloc_per_scrape_bytes"] = (base.heap_used_kib(a.jcmd) - base_heap0 + freed) * 1024 / a.scrapes
        r["baseline_gcs_per_scrape"] = gcs / a.scrapes
        r["baseline"] = summary(*baseline)
        r["sockets_seen_by_baseline"] = [min(seen_base), max(seen_base)]
    r["ours"] = summary(*ours)
    r["node_exporter"] = summary(*node)
    r["ss_tain"] = summary(*ss_all)
    r["ss_tin"] = summary(*ss_default)
    r["kernel_floor"] = summary(*floor)
    r["sockets_seen_by_ours"] = [min(seen_ours), max(seen_ours)]
    r["sockets_seen_by_node_exporter"] = [min(seen_node), max(seen_node)]
    r["time_wait_in_sockstat"] = [min(seen_tw), max(seen_tw)]
    log(f"  ours {r['ours']['median_ms']:.1f} ms, node_exporter {r['node_exporter']['median_ms']:.1f} ms, "
        f"ss -tain {r['ss_tain']['median_ms']:.1f} ms, kernel floor {r['kernel_floor']['median_ms']:.1f} ms; sockets seen {r['sockets_seen_by_ours']}"
        + (f"; baseline {r['baseline']['median_ms']:.1f} ms" if base else ""))
    if base and scale == max(a.scales):
        # the baseline's RSS after as many scrapes as ours gets below (it got no concurrency or strace scrapes)
        while base.scrapes < 100:
            wl.keep_fresh()
            base.scrape()
        r["baseline_rss_kib"] = status_kib(base.pid, "VmRSS")
        r["baseline_hwm_kib"] = status_kib(base.pid, "VmHWM")
    if scale == max(a.scales):
        wl.keep_fresh()
        r["concurrency"] = concurrency(exp)
        wl.keep_fresh()
        r["netlink_requests"] = {"one_scrape": strace_sendto(exp, 1), "burst_of_8": strace_sendto(exp, 8)}
        log(f"  concurrency {r['concurrency']}, netlink {r['netlink_requests']}")
        while exp.scrapes < 100:
            wl.keep_fresh()
            exp.scrape()
        r["our_scrapes_before_rss"] = exp.scrapes
        r["our_rss_kib"] = status_kib(exp.pid, "VmRSS")
        r["our_hwm_kib"] = status_kib(exp.pid, "VmHWM")
        r["our_rss_anon_kib"] = status_kib(exp.pid, "RssAnon")
        r["our_rss_file_kib"] = status_kib(exp.pid, "RssFile")
        r["our_smaps_top"] = smaps_top(exp.pid)
        time.sleep(10)  # idle, as between two scrapes at a 15 s interval
        r["our_rss_idle10_kib"] = status_kib(exp.pid, "VmRSS")
        hist = subprocess.run([a.jcmd, str(exp.pid), "GC.class_histogram"], capture_output=True, text=True,
                              check=True).stdout
        with open(os.path.join(a.out, "class-histogram.txt"), "w") as f:
            f.write(hist)
        retained = {}
        for cls in ["TcpSocket", "TcpInfo", "Endpoint", "SocketMemory"]:
            m = re.search(r"^\s*\d+:\s+(\d+)\s+(\d+)\s+dev\.tcpfootgun\.snapshot\." + cls + r"\b", hist, re.M)
            retained[cls] = int(m.group(1)) if m else 0
        r["retained_after_scrapes"] = retained
        log(f"  RSS {r['our_rss_kib']} KiB after {exp.scrapes} scrapes; retained {retained}")
    if a.steady_after:
        r["steady"] = measure_steady(a, wl, exp, base)
    if base:
        base.stop()
    exp.stop()
    res["scales"][str(scale)] = r


def measure_steady(a, wl, exp, base):
    """The rounds again once each build has served a.steady_after scrapes: what a scrape costs an exporter
    that has run a while (C1 compiles a method after some calls, and most of a scrape's code runs once a
    scrape), beside node_exporter and the floor in the same rotating rounds."""
    for e in [exp] + ([base] if base else []):
        while e.scrapes < a.steady_after:
            wl.keep_fresh()
            e.scrape()
    tools = {"ours": lambda: exp.scrape()[:2], "node_exporter": lambda: node_scrape(a), "kernel_floor": lambda: run_timed([a.floor])}
    if base:
        tools["baseline"] = lambda: base.scrape()[:2]
    got = {k: ([], []) for k in tools}
    names = list(tools)
    for i in range(a.scrapes):
        wl.keep_fresh()
        for k in range(len(names)):
            name = names[(i + k) % len(names)]
            w, c = tools[name]()
            got[name][0].append(w), got[name][1].append(c)
    st = {k: summary(*v) for k, v in got.items()}
    st["after_scrapes"] = exp.scrapes - a.scrapes
    log(f"  steady (after {st['after_scrapes']} scrapes): ours {st['ours']['median_ms']:.1f} ms, "
        f"CPU {st['ours']['cpu_ms_mean']:.1f} ms; node_exporter {st['node_exporter']['median_ms']:.1f} ms, CPU {st['node_exporter']['cpu_ms_mean']:.1f} ms")
    return st


def node_scrape(a):
    c0 = cpu_seconds(a.node_pid)
    w, status, _ = scrape(NODE_PORT)
    if status != 200:
        raise RuntimeError("node_exporter scrape failed")
    return w, cpu_seconds(a.node_pid) - c0


def measure_rss_variant(a, wl, res, label, extra, aot=True):
    """VmRSS after 100 scrapes at the largest size with extra JVM flags after the image's (the last one wins)."""
    wl.keep_fresh()
    e = Exporter(a.java, a.jar, image_flags(a, aot), os.path.join(a.out, f"gc-{label}.log"), extra=extra)
    e.first_success()
    walls, cpus = [], []
    while e.scrapes < 100:
        wl.keep_fresh()
        w, c, _ = e.scrape()
        walls.append(w), cpus.append(c)
    v = {"flags": " ".join(extra) + ("" if aot else " (no AOT cache)"), "rss_kib": status_kib(e.pid, "VmRSS"),
         "hwm_kib": status_kib(e.pid, "VmHWM"), "median_ms_last30": statistics.median(walls[-30:]) * 1e3,
         "cpu_ms_last30": statistics.mean(cpus[-30:]) * 1e3}
    time.sleep(10)
    v["rss_idle10_kib"] = status_kib(e.pid, "VmRSS")
    e.stop()
    res.setdefault("rss_variants", {})[label] = v
    log(f"  RSS variant {label}: {v}")


def image_flags(a, aot=True, base=False):
    """The image's JVM flags (jvm.options, the heap as the DaemonSet's memory limit gives it) and its AOT cache
    (the baseline jar's own cache when base)."""
    cache = a.base_aot if base else a.aot
    return a.jvm_flags.split() + ([f"-XX:AOTCache={cache}"] if aot and cache else [])


def train_aot_cache(a, res, base=False):
    """Makes the AOT cache as the Dockerfile does: the train command with the image's flags, before any workload."""
    jar, name, key = (a.baseline_jar, "app-baseline.aot", "baseline_aot_cache") if base else (a.jar, "app.aot", "aot_cache")
    setattr(a, "base_aot" if base else "aot", None)
    path = os.path.join(a.out, name)
    t0 = time.perf_counter()
    p = subprocess.run([a.java, *a.jvm_flags.split(), f"-XX:AOTCacheOutput={path}", "-jar", jar, "train"],
                       capture_output=True, text=True, timeout=600)
    if p.returncode != 0 or not os.path.exists(path):
        log(f"  AOT training of {jar} failed ({p.returncode}): {p.stderr[-2000:]}")
        res[key] = {"error": p.stderr[-2000:]}
        return
    setattr(a, "base_aot" if base else "aot", path)
    res[key] = {"mib": os.path.getsize(path) / 2**20, "training_s": time.perf_counter() - t0}
    log(f"  {key} {res[key]}")


def measure_floor(a, res, base=False):
    """The same exporter and flags in the namespace before any workload: what the JVM costs with no sockets."""
    e = Exporter(a.java, a.baseline_jar if base else a.jar, image_flags(a, base=base),
                 os.path.join(a.out, "gc-floor-baseline.log" if base else "gc-floor.log"))
    first = e.first_success()
    while e.scrapes < 100:
        e.scrape()
    v = {"first_scrape_s": first, "rss_kib": status_kib(e.pid, "VmRSS"), "rss_anon_kib": status_kib(e.pid, "RssAnon"),
         "rss_file_kib": status_kib(e.pid, "RssFile"), "hwm_kib": status_kib(e.pid, "VmHWM")}
    time.sleep(10)
    v["rss_idle10_kib"] = status_kib(e.pid, "VmRSS")
    v["smaps_top"] = smaps_top(e.pid)
    e.stop()
    res["baseline_floor_no_sockets" if base else "floor_no_sockets"] = v
    log(f"  {'baseline ' if base else ''}floor (no sockets): {v}")


def smaps_top(pid, n=6):
    """Resident KiB per mapping name (anonymous mappings together), the largest n."""
    rss = {}
    name = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                parts = line.split()
                name = parts[5] if len(parts) > 5 else "[anon]"
            elif line.startswith("Rss:"):
                rss[name] = rss.get(name, 0) + int(line.split()[1])
    return dict(sorted(rss.items(), key=lambda kv: -kv[1])[:n])


def measure_startup(a, wl, res):
    """First successful scrape after start, at the largest scale, three times each: the image as it is
    (with its AOT cache), then the same flags without the cache (the JDK's default CDS archive)."""
    out = {}
    wl.time_wait(max(a.scales))
    for label, aot in [("image_flags", True), ("no_aot_cache", False)]:
        if aot and not a.aot:
            continue
        runs = []
        for _ in range(3):
            wl.keep_fresh()
            e = Exporter(a.java, a.jar, image_flags(a, aot), os.path.join(a.out, "gc-startup.log"))
            runs.append(e.first_success())
            e.stop()
        out[label] = {"runs_s": runs, "median_s": statistics.median(runs)}
    res["startup"] = out
    log(f"  startup {out}")


def save(a, res):
    with open(os.path.join(a.out, "results.json.tmp"), "w") as f:
        json.dump(res, f, indent=2)
    os.replace(os.path.join(a.out, "results.json.tmp"), os.path.join(a.out, "results.json"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--java", required=True)
    ap.add_argument("--jcmd", required=True)
    ap.add_argument("--jar", required=True)
    ap.add_argument("--load", required=True)
    ap.add_argument("--node-exporter", required=True)
    ap.add_argument("--floor", required=True, help="bench/floor.c built: one sock_diag dump, walked, not decoded")
    ap.add_argument("--out", required=True)
    ap.add_argument("--jvm-flags", required=True)
    ap.add_argument("--scales", default="1000,10000,100000")
    ap.add_argument("--scrapes", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--steady-after", type=int, default=300,
                    help="measure the rounds again once each build has served this many scrapes (0: not)")
    ap.add_argument("--baseline-jar", default="", help="another build measured in the same rounds (before/after)")
    ap.add_argument("--max-seconds", type=int, default=1800, help="bound on the workload processes' life")
    a = ap.parse_args()
    a.scales = [int(s) for s in a.scales.split(",")]
    res = {"scales": {}, "jvm_flags": a.jvm_flags}
    a.base_aot = None
    train_aot_cache(a, res)
    measure_floor(a, res)
    if a.baseline_jar:
        res["baseline_jar"] = a.baseline_jar
        train_aot_cache(a, res, base=True)
        measure_floor(a, res, base=True)
    wl = Workload(a.load)
    node = start([a.node_exporter, f"--web.listen-address=127.0.0.1:{NODE_PORT}", "--collector.disable-defaults",
                  "--collector.conntrack", "--collector.netstat", "--collector.sockstat", "--collector.tcpstat"],
                 stdout=subprocess.DEVNULL, stderr=open(os.path.join(a.out, "node_exporter.log"), "w"))
    a.node_pid = node.pid
    t0 = time.perf_counter()
    while True:
        try:
            if scrape(NODE_PORT)[1] == 200:
                break
        except OSError:
            time.sleep(0.005)
        if time.perf_counter() - t0 > 30:
            raise RuntimeError("node_exporter did not start")
    res["node_first_scrape_s"] = time.perf_counter() - t0
    for s in a.scales:
        measure_scale(a, wl, s, res)
        save(a, res)  # a run cut short by its bound keeps the sizes it finished
    # what the image's choices buy: C2 as well as C1 (the JVM's default), and a heap of 24 MiB instead of 32
    for label, extra, aot in [("c2", ["-XX:TieredStopAtLevel=4", "-XX:ReservedCodeCacheSize=48m"], False),
                              ("heap_24m", ["-Xmx24m"], True)]:
        measure_rss_variant(a, wl, res, label, extra, aot)
    measure_startup(a, wl, res)
    res["node_rss_kib_end"] = status_kib(node.pid, "VmRSS")
    save(a, res)
    log("results in", os.path.join(a.out, "results.json"))


if __name__ == "__main__":
    main()
