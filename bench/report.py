#!/usr/bin/env python3
"""Renders bench/out/<run>/results.json (and machine.txt) as the Markdown tables of BENCHMARKS.md."""
import json
import os
import sys

out = sys.argv[1]
r = json.load(open(os.path.join(out, "results.json")))
machine = open(os.path.join(out, "machine.txt")).read()


def ms(x):
    return f"{x:.1f}" if x < 100 else f"{x:.0f}"


def ratio(a, b):
    return f"{a / b:.2f}×" if b else "n/a"


print("```")
print(machine.rstrip())
print("```\n")
print("| sockets in the dump (TW + 2×est + listen) | tool | median ms | p99 ms | min–max ms | CPU ms/scrape (mean) "
      "| ours ÷ this (median) | ours ÷ this (CPU) |")
print("|---|---|---|---|---|---|---|---|")
scales = sorted(r["scales"], key=int)
for s in scales:
    x = r["scales"][s]
    total = x["time_wait"] + 2 * x["established_connections"] + x["listeners"]
    o = x["ours"]
    for key, name in [("ours", "tcp-footgun-exporter"), ("baseline", "tcp-footgun-exporter, baseline build"),
                      ("node_exporter", "node_exporter 1.5 (4 collectors)"),
                      ("ss_tain", "`ss -tain` (all states)"), ("ss_tin", "`ss -tin` (no TIME_WAIT, no LISTEN)"),
                      ("kernel_floor", "kernel floor (`bench/floor.c`: the dump, walked)")]:
        if key not in x:
            continue  # no baseline build, or a run before the floor was measured
        t = x[key]
        rw = "" if key == "ours" else ratio(o["median_ms"], t["median_ms"])
        rc = "" if key == "ours" else ratio(o["cpu_ms_mean"], t["cpu_ms_mean"])
        print(f"| {total:,} | {name} | {ms(t['median_ms'])} | {ms(t['p99_ms'])} | {ms(t['min_ms'])}–{ms(t['max_ms'])} "
              f"| {ms(t['cpu_ms_mean'])} | {rw} | {rc} |")
print()
if any("steady" in r["scales"][s] for s in scales):
    print("Steady state: the same rounds again, once each build has served as many scrapes as given "
          "(ours, the baseline build, node_exporter and the floor; no `ss`):\n")
    print("| sockets in the dump | after scrapes | tool | median ms | p99 ms | CPU ms/scrape (mean) | ours ÷ this (median) | ours ÷ this (CPU) |")
    print("|---|---|---|---|---|---|---|---|")
    for s in scales:
        x = r["scales"][s]
        if "steady" not in x:
            continue
        st = x["steady"]
        total = x["time_wait"] + 2 * x["established_connections"] + x["listeners"]
        o = st["ours"]
        for key, name in [("ours", "tcp-footgun-exporter"), ("baseline", "tcp-footgun-exporter, baseline build"),
                          ("node_exporter", "node_exporter 1.5 (4 collectors)"), ("kernel_floor", "kernel floor")]:
            if key not in st:
                continue
            t = st[key]
            rw = "" if key == "ours" else ratio(o["median_ms"], t["median_ms"])
            rc = "" if key == "ours" else ratio(o["cpu_ms_mean"], t["cpu_ms_mean"])
            print(f"| {total:,} | {st['after_scrapes']} | {name} | {ms(t['median_ms'])} | {ms(t['p99_ms'])} | {ms(t['cpu_ms_mean'])} | {rw} | {rc} |")
    print()
for s in scales:
    x = r["scales"][s]
    if "kernel_floor" in x:
        print(f"ours ÷ floor at {int(s):,} TIME_WAIT: {ratio(x['ours']['median_ms'], x['kernel_floor']['median_ms'])} (median), "
              f"{ratio(x['ours']['cpu_ms_mean'], x['kernel_floor']['cpu_ms_mean'])} (CPU).")
print()
print("| sockets | ours: allocated per scrape | GCs per scrape | node_exporter: allocated per scrape "
      "| first successful scrape after start | sockets seen (ours / node_exporter / sockstat tw) |")
print("|---|---|---|---|---|---|")
for s in scales:
    x = r["scales"][s]
    total = x["time_wait"] + 2 * x["established_connections"] + x["listeners"]
    print(f"| {total:,} | {x['our_alloc_per_scrape_bytes'] / 2**20:.1f} MiB | {x['our_gcs_per_scrape']:.2f} "
          f"| {x.get('node_alloc_per_scrape_bytes', 0) / 2**20:.1f} MiB | {x['our_first_scrape_s']:.2f} s "
          f"| {x['sockets_seen_by_ours']} / {x['sockets_seen_by_node_exporter']} / {x['time_wait_in_sockstat']} |")
print()
if any("baseline" in r["scales"][s] for s in scales):
    print(f"Baseline build `{r.get('baseline_jar', '')}`, in the same rounds: allocated per scrape "
          + ", ".join(f"{int(s):,} TW {r['scales'][s]['baseline_alloc_per_scrape_bytes'] / 2**20:.1f} MiB "
                      f"({r['scales'][s]['baseline_gcs_per_scrape']:.2f} GCs)" for s in scales if "baseline" in r["scales"][s])
          + ".\n")
small, big = r["scales"][scales[-2]] if len(scales) > 1 else None, r["scales"][scales[-1]]
if small:
    print(f"Growth {scales[-2]} → {scales[-1]} TIME_WAIT: ours median ×{big['ours']['median_ms'] / small['ours']['median_ms']:.1f}, "
          f"CPU ×{big['ours']['cpu_ms_mean'] / small['ours']['cpu_ms_mean']:.1f}; node_exporter median "
          f"×{big['node_exporter']['median_ms'] / small['node_exporter']['median_ms']:.1f}; ss -tain "
          f"×{big['ss_tain']['median_ms'] / small['ss_tain']['median_ms']:.1f}.\n")
if "our_rss_kib" in big:
    print(f"At the largest size: VmRSS {big['our_rss_kib'] / 1024:.1f} MiB after {big['our_scrapes_before_rss']} scrapes "
          f"(VmHWM {big['our_hwm_kib'] / 1024:.1f} MiB); node_exporter VmRSS {big['node_rss_kib'] / 1024:.1f} MiB.")
    if "baseline_rss_kib" in big:
        print(f"Baseline build: VmRSS {big['baseline_rss_kib'] / 1024:.1f} MiB after 100 scrapes (VmHWM {big['baseline_hwm_kib'] / 1024:.1f} MiB).")
    if "our_rss_idle10_kib" in big:
        print(f"VmRSS 10 s later (idle): {big['our_rss_idle10_kib'] / 1024:.1f} MiB.")
    for label, v in r.get("rss_variants", {}).items():
        print(f"Variant `{v['flags']}` on top of the image flags: VmRSS {v['rss_kib'] / 1024:.1f} MiB after 100 scrapes, "
              f"{v['rss_idle10_kib'] / 1024:.1f} MiB 10 s later (VmHWM {v['hwm_kib'] / 1024:.1f} MiB); "
              f"median scrape of the last 30 {v['median_ms_last30']:.0f} ms, CPU {v.get('cpu_ms_last30', float('nan')):.0f} ms.")
    if "our_rss_anon_kib" in big:
        print(f"Of that VmRSS: RssAnon {big['our_rss_anon_kib'] / 1024:.1f} MiB, RssFile {big['our_rss_file_kib'] / 1024:.1f} MiB; "
              "largest mappings (KiB): " + ", ".join(f"{k.split('/')[-1]} {v:,}" for k, v in big["our_smaps_top"].items()) + ".")
    print(f"Per-socket objects live after those scrapes (GC.class_histogram): {big['retained_after_scrapes']}.\n")
if "floor_no_sockets" in r:
    f = r["floor_no_sockets"]
    print(f"Floor, the same exporter and flags before any workload (no socket in the namespace): VmRSS {f['rss_kib'] / 1024:.1f} MiB "
          f"after 100 scrapes (RssAnon {f['rss_anon_kib'] / 1024:.1f}, RssFile {f['rss_file_kib'] / 1024:.1f}), "
          f"{f['rss_idle10_kib'] / 1024:.1f} MiB 10 s later; largest mappings (KiB): "
          + ", ".join(f"{k.split('/')[-1]} {v:,}" for k, v in f["smaps_top"].items()) + ".\n")
if "baseline_floor_no_sockets" in r:
    f = r["baseline_floor_no_sockets"]
    print(f"Floor of the baseline build: VmRSS {f['rss_kib'] / 1024:.1f} MiB after 100 scrapes (RssAnon {f['rss_anon_kib'] / 1024:.1f}), "
          f"{f['rss_idle10_kib'] / 1024:.1f} MiB 10 s later.\n")
if "concurrency" in big:
    c = big["concurrency"]
    print(f"Concurrency: one scrape alone {c['single_median_ms']:.0f} ms median, exporter CPU {c['single_cpu_ms_mean']:.0f} ms; "
          f"two sent together, both answered in {c['pair_median_ms']:.0f} ms median, exporter CPU {c['pair_cpu_ms_mean']:.0f} ms.")
    n = big["netlink_requests"]
    print(f"netlink requests (strace -f -c -e trace=sendto): one scrape {n['one_scrape']['sendto_calls']}, "
          f"a burst of {n['burst_of_8']['burst']} scrapes sent together {n['burst_of_8']['sendto_calls']} "
          f"({n['burst_of_8']['ok']} answered).\n")
if "startup" in r:
    st = r["startup"]
    parts = []
    if "image_flags" in st:
        parts.append(f"the image's flags and AOT cache ({r['aot_cache']['mib']:.0f} MiB) {st['image_flags']['median_s']:.2f} s median "
                     f"({', '.join(f'{v:.2f}' for v in st['image_flags']['runs_s'])})")
    parts.append(f"the same flags without the AOT cache {st['no_aot_cache']['median_s']:.2f} s "
                 f"({', '.join(f'{v:.2f}' for v in st['no_aot_cache']['runs_s'])})")
    print(f"Start to first successful scrape at {scales[-1]} TIME_WAIT: " + "; ".join(parts)
          + f"; node_exporter {r['node_first_scrape_s']:.2f} s.")
