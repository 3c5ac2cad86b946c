#!/usr/bin/env python3
"""Pod-namespace benchmark (bench/netns.sh starts it as root). Makes up to 250 network namespaces,
each with one process holding established connections with data flowing (bench/load estab) and some
TIME_WAIT (bench/load tw) and an address of its own (a "pod IP" on lo), and measures the exporter
reading them as the base DaemonSet does: uid 65534, no capability, --collector.netns, the image's JVM
flags and memory limit. Per scale: scrape wall time, CPU per scrape, RSS, threads, fds. Then a churn
run: namespaces deleted and created between scrapes for BENCH_CHURN_SECONDS, sampling threads, fds,
RSS and the heap after a full GC, to show nothing leaks.

The exporter is given a procfs tree (--path.procfs) of symlinks to /proc/1, /proc/self, /proc/net,
/proc/sys and the benchmark's own processes only: the machine is shared, and other people's test
namespaces would otherwise be read too. Everything it starts is stopped and every namespace deleted."""
import argparse
import atexit
import http.client
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from driver import cpu_seconds, status_kib  # noqa: E402

PORT = 10097
EST_CONN, EST_PORTS, EST_BASE = 150, 2, 8000  # 300 established sockets + 2 listeners per namespace
EST_PERIOD = 20  # seconds between two requests on one connection: 250 namespaces send 1,900 a second, not 37,500
TW_PER_NS = 60

ACCESS = "procfs"
children = []
namespaces = {}  # name -> Popen of its holder
PREFIX = f"tfnsb{os.getpid()}-"
serial = 0


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


def run(*argv, check=True):
    return subprocess.run(argv, check=check, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def make_namespace(load):
    global serial
    serial += 1
    name = f"{PREFIX}{serial}"
    run("ip", "netns", "add", name)
    run("ip", "-n", name, "link", "set", "lo", "up")
    run("ip", "-n", name, "addr", "add", f"10.{200 + serial // 60000}.{serial // 250 % 240}.{serial % 250 + 1}/32", "dev", "lo")
    p = subprocess.Popen(["ip", "netns", "exec", name, load, "estab", str(EST_CONN), str(EST_PORTS), str(EST_BASE), "7200", str(EST_PERIOD)],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    p.stdout.readline()  # "ready"
    namespaces[name] = p
    return name


def time_wait(load, name):
    run("ip", "netns", "exec", name, load, "tw", str(TW_PER_NS), "1", "1", "1", "9000")


def delete_namespace(name):
    p = namespaces.pop(name)
    p.terminate()
    try:
        p.wait(5)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    run("ip", "netns", "del", name, check=False)


def cleanup():
    for p in reversed(children):
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
    for name in list(namespaces):
        delete_namespace(name)


def build_tree(tree, names):
    """The exporter's procfs: the host's pid 1, itself, and the holders of `names`."""
    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(tree)
    for link, target in (("1", "/proc/1"), ("self", "/proc/self"), ("net", "/proc/self/net"), ("sys", "/proc/sys")):
        os.symlink(target, os.path.join(tree, link))
    for n in names:
        os.symlink(f"/proc/{namespaces[n].pid}", os.path.join(tree, str(namespaces[n].pid)))
    os.chmod(tree, 0o755)


def start_exporter(java, flags, jar, tree, extra=()):
    # procfs: the base DaemonSet (65534, no capability); setns: the pod-namespaces add-on (root: setns works)
    user = [] if ACCESS == "setns" else ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                         "--inh-caps=-all", "--bounding-set=-all"]
    argv = [*user, java, *flags, "-jar", jar, f"--path.procfs={tree}", "--collector.netns", "--netns.top=10",
            f"--web.listen-address=127.0.0.1:{PORT}", "--scrape.timeout=30s", *extra]
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=open(os.path.join(OUT, "exporter.log"), "a"))
    children.append(p)
    for _ in range(300):
        try:
            scrape()
            return p
        except OSError:
            time.sleep(0.2)
    raise SystemExit("exporter did not start")


def scrape():
    t0 = time.perf_counter()
    c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
    try:
        c.request("GET", "/metrics")
        r = c.getresponse()
        body = r.read().decode()
    finally:
        c.close()
    return time.perf_counter() - t0, r.status, body


def value(text, name, labels=""):
    m = re.search("^" + re.escape(name) + re.escape(labels) + r" (\S+)$", text, re.M)
    return float(m.group(1)) if m else None


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def heap_after_gc_kib(java_home, pid):
    """Heap in use right after a full GC (jcmd as the exporter's user: attach needs the same uid)."""
    jcmd = os.path.join(java_home, "bin", "jcmd")
    as_user = [] if ACCESS == "setns" else ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    subprocess.run(as_user + [jcmd, str(pid), "GC.run"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    out = subprocess.run(as_user + [jcmd, str(pid), "GC.heap_info"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True, timeout=60).stdout
    return sum(int(k) for k in re.findall(r"used (\d+)K", out)) or None


def measure(args, java, flags, jar, tree, scale):
    names = list(namespaces)[:scale]
    for n in names:
        time_wait(args.load, n)
    build_tree(tree, names)
    p = start_exporter(java, flags, jar, tree)
    for _ in range(args.warmup):
        scrape()
    walls = []
    cpu0 = cpu_seconds(p.pid)
    found = sockets = tw = None
    for _ in range(args.scrapes):
        wall, status, body = scrape()
        assert status == 200, status
        walls.append(wall)
    cpu = (cpu_seconds(p.pid) - cpu0) / args.scrapes
    found = value(body, "footgun_netns_namespaces")
    accessed = len(re.findall(r'^footgun_netns_info\{[^}]*access="' + ACCESS + '"', body, re.M))
    row = {"namespaces": scale, "access": ACCESS, "found": found, "info_series_with_that_access": accessed,
           "sockets_per_ns": 2 * EST_CONN + EST_PORTS + TW_PER_NS,
           "scrape_median_s": statistics.median(walls), "scrape_max_s": max(walls),
           "cpu_per_scrape_s": cpu, "rss_mib": status_kib(p.pid, "VmRSS") / 1024,
           "threads": status_kib(p.pid, "Threads"), "fds": fds(p.pid),
           "loadavg": open("/proc/loadavg").read().split()[0]}
    log("scale", row)
    p.terminate()
    p.wait(10)
    return row


def churn(args, java, flags, jar, tree):
    names = list(namespaces)
    build_tree(tree, names)
    p = start_exporter(java, flags, jar, tree)
    for _ in range(args.warmup):
        scrape()
    samples, created, deleted, scrapes, failed = [], 0, 0, 0, 0
    end = time.time() + args.churn_seconds
    next_sample = time.time()
    while time.time() < end:
        # between scrapes: some namespaces go, as many new ones come (with sockets and TIME_WAIT)
        for n in random.sample(list(namespaces), min(args.churn_per_round, len(namespaces))):
            delete_namespace(n)
            deleted += 1
        for _ in range(args.churn_per_round):
            time_wait(args.load, make_namespace(args.load))
            created += 1
        build_tree(tree, list(namespaces))
        wall, status, body = scrape()
        scrapes += 1
        failed += status != 200
        if time.time() >= next_sample:
            s = {"t_s": round(args.churn_seconds - (end - time.time())), "threads": status_kib(p.pid, "Threads"),
                 "fds": fds(p.pid), "rss_mib": round(status_kib(p.pid, "VmRSS") / 1024, 1),
                 "heap_after_gc_kib": heap_after_gc_kib(args.java_home, p.pid), "scrape_s": round(wall, 3),
                 "found": value(body, "footgun_netns_namespaces")}
            samples.append(s)
            log("churn", s)
            next_sample += args.sample_every
    p.terminate()
    p.wait(10)
    return {"seconds": args.churn_seconds, "created": created, "deleted": deleted, "scrapes": scrapes,
            "non_200": failed, "samples": samples}


def main():
    global OUT, ACCESS
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--load", required=True)
    ap.add_argument("--jar", required=True)
    ap.add_argument("--java-home", required=True)
    ap.add_argument("--jvm-flags", default="")
    ap.add_argument("--scales", default="50,125,250")
    ap.add_argument("--scrapes", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--churn-seconds", type=int, default=600)
    ap.add_argument("--churn-per-round", type=int, default=5)
    ap.add_argument("--sample-every", type=int, default=60)
    ap.add_argument("--access", choices=["procfs", "setns"], default="procfs")
    args = ap.parse_args()
    OUT = args.out
    ACCESS = args.access
    atexit.register(cleanup)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    scales = [int(s) for s in args.scales.split(",")]
    java = os.path.join(args.java_home, "bin", "java")
    flags = args.jvm_flags.split()
    tree = os.path.join(OUT, "procfs")
    log("making", max(scales), "namespaces")
    while len(namespaces) < max(scales):
        make_namespace(args.load)
    rows = [measure(args, java, flags, args.jar, tree, s) for s in scales]
    result = {"access": ACCESS, "scales": rows, "loadavg_before": open("/proc/loadavg").read().split()[0]}
    if args.churn_seconds > 0:
        result["churn"] = churn(args, java, flags, args.jar, tree)
    with open(os.path.join(OUT, "netns-results.json"), "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
