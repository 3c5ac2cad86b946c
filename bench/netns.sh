#!/usr/bin/env bash
# The pod-namespace benchmark, in one command (as root):  bench/netns.sh
#
# 50, 125 and 250 network namespaces, each with one process holding 150 established connections
# with data flowing (300 sockets; each connection sends 128 bytes every 20 s, the server echoes: the
# machine is shared), 2 listeners and 60 TIME_WAIT, and an address of its own; the
# exporter reads them as the base DaemonSet does (uid 65534, no capability, --collector.netns), with
# the image's JVM flags and the DaemonSet's memory limit. Then 10 minutes of churn (5 namespaces
# deleted and 5 created before every scrape) sampling threads, fds, RSS and the heap after a full GC.
# Results: bench/out/netns-<time>/netns-results.json (and the JSON on stdout).
#
# Environment: BENCH_NETNS_SCALES (50,125,250), BENCH_SCRAPES (10), BENCH_CHURN_SECONDS (600; 0 skips
# the churn run), BENCH_NETNS_ACCESS (procfs, the base DaemonSet; setns runs the exporter as root, as
# the pod-namespaces add-on does, entering every namespace), BENCH_OUT, BENCH_JAR. Every namespace and process it makes is removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
[ "$(id -u)" = 0 ] || { echo "bench/netns.sh: needs root (network namespaces)" >&2; exit 1; }
for tool in ip setpriv gcc python3; do
  command -v "$tool" >/dev/null || { echo "bench/netns.sh: $tool is missing" >&2; exit 1; }
done
JAVA_HOME="$(.ci/with-jdk25 sh -c 'echo "$JAVA_HOME"')"
JAR="${BENCH_JAR:-$ROOT/target/tcp-footgun-exporter.jar}"
[ -f "$JAR" ] || .ci/with-jdk25 mvn -q -DskipTests package
OUT="${BENCH_OUT:-$ROOT/bench/out/netns-$(date +%Y%m%dT%H%M%S)}"
mkdir -p "$OUT"
chmod 755 "$OUT"
gcc -O2 -Wall -o "$OUT/load" bench/load.c
# uid 65534 must read the jar
cp "$JAR" "$OUT/exporter.jar"
chmod 644 "$OUT/exporter.jar"
LIMIT_MIB="$(awk '/limits:/ { l = 1 } l && /memory:/ { sub(/Mi$/, "", $2); print $2; exit }' deploy/kubernetes/daemonset.yaml)"
JVM_FLAGS="$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' src/main/jvm/jvm.options | tr -s ' \n' ' ')-XX:MaxRAM=${LIMIT_MIB}m"
{
  echo "date: $(date -u +%FT%TZ)"
  echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src pom.xml || echo ' (dirty)')"
  echo "nproc: $(nproc); loadavg before: $(cut -d' ' -f1-3 /proc/loadavg); kernel: $(uname -r)"
  echo "jvm flags: $JVM_FLAGS (no AOT cache)"
} > "$OUT/machine.txt"
exec python3 bench/netns.py --out "$OUT" --load "$OUT/load" --jar "$OUT/exporter.jar" --java-home "$JAVA_HOME" \
  --jvm-flags "$JVM_FLAGS" --scales "${BENCH_NETNS_SCALES:-50,125,250}" --scrapes "${BENCH_SCRAPES:-10}" \
  --churn-seconds "${BENCH_CHURN_SECONDS:-600}" --access "${BENCH_NETNS_ACCESS:-procfs}"
