#!/usr/bin/env bash
# Before/after of one change in one run (as root): two or more builds of the jar (or one build with
# different JVM flags) started side by side in a namespace of their own with bench/run.sh's workload at
# one size, each with the image's flags (src/main/jvm/jvm.options, -XX:MaxRAM=128m) and its own AOT
# cache, scraped in rotating order, node_exporter in the same rounds. Quicker than bench/run.sh with
# BENCH_BASELINE_JAR (one size, no ss, no variants), for the many small changes of a profiling session.
#   bench/ab.sh OUT --jar before.jar --jar after.jar [--extra 'JVM flags for jar 1' --extra 'for jar 2']
#               [--args 'exporter flags for jar 1' --args 'for jar 2']
#               [--scale 1000] [--rounds 150] [--warmup 40] [--warmup-interval 0] [--jfr 'settings=profile'] [--no-node]
# (--warmup-interval: seconds between two warm-up rounds, as a scrape interval leaves the JIT between scrapes.)
# Prints and writes OUT/ab.json: per build median ms, CPU ms a scrape (mean of utime+stime deltas in
# clock ticks, so only the mean means anything), its system time and minor page faults a scrape over the
# rounds, KiB allocated, GCs and GC pause ms (young, full) a scrape, VmRSS at the end and after each round
# (min, mean, max: one reading falls anywhere in the old generation's cycle).
set -euo pipefail
OUT=$1; shift
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "bench/ab.sh: run as root (it makes a network namespace)" >&2; exit 2; }
JAVA_HOME="$(.ci/with-jdk25 sh -c 'echo "$JAVA_HOME"')"
mkdir -p "$OUT"
gcc -O2 -Wall -o "$OUT/load" bench/load.c
JVM_FLAGS="$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' src/main/jvm/jvm.options | tr -s ' \n' ' ')-XX:MaxRAM=128m"
NS="bench-ab-$$"
. bench/workload-ns.sh
trap 'workload_ns_delete "$NS"' EXIT
workload_ns_create "$NS" "9100,10170-10179"   # node_exporter and the builds (bench/ab.py)
echo "loadavg before: $(cat /proc/loadavg)" | tee "$OUT/load.txt"
timeout --kill-after=10 1500 ip netns exec "$NS" /usr/bin/python3 bench/ab.py --out "$OUT" --flags "$JVM_FLAGS" \
  --java "$JAVA_HOME/bin/java" --jcmd "$JAVA_HOME/bin/jcmd" --load "$OUT/load" "$@"
echo "loadavg after: $(cat /proc/loadavg)" | tee -a "$OUT/load.txt"
