#!/usr/bin/env bash
# The benchmark, in one command (as root):  bench/run.sh
#
# Makes a private network namespace, fills it with 1k, 10k and 100k TIME_WAIT sockets (50
# destinations, 4 source addresses), established connections with data flowing (1/20 of that, over
# 5 processes) and 100 listeners, and measures side by side there: our exporter (fresh JVM per size,
# the image's JVM flags, AOT cache and memory limit), Debian's node_exporter
# (conntrack, netstat, sockstat, tcpstat), `ss` and the kernel's floor (bench/floor.c: one sock_diag
# dump of every socket as ours requests it, walked, not decoded). Results: bench/out/<time>/results.{json,md}.
#
# Environment: BENCH_SCALES (default 1000,10000,100000), BENCH_SCRAPES (30), BENCH_WARMUP (20),
# BENCH_STEADY_AFTER (300: the rounds again once each build has served that many scrapes; 0: not),
# BENCH_OUT (output folder), BENCH_JAR (another build of the jar), BENCH_BASELINE_JAR (a second build measured
# in the same rounds as ours, for a before/after from one run). Everything it starts is stopped, bounded by BENCH_TIMEOUT (1800 s);
# the namespace is deleted on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

[ "$(id -u)" = 0 ] || { echo "bench/run.sh: needs root (network namespaces)" >&2; exit 1; }

missing=()
command -v prometheus-node-exporter >/dev/null || missing+=(prometheus-node-exporter)
command -v ip >/dev/null && command -v ss >/dev/null || missing+=(iproute2)
command -v strace >/dev/null || missing+=(strace)
command -v gcc >/dev/null || missing+=(gcc libc6-dev)
[ -x /usr/bin/python3 ] || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

JAVA_HOME="$(.ci/with-jdk25 sh -c 'echo "$JAVA_HOME"')"
JAR="${BENCH_JAR:-$ROOT/target/tcp-footgun-exporter.jar}"
[ -z "${BENCH_BASELINE_JAR:-}" ] || [ -f "$BENCH_BASELINE_JAR" ] || { echo "bench/run.sh: BENCH_BASELINE_JAR=$BENCH_BASELINE_JAR is not a file" >&2; exit 1; }
[ -f "$JAR" ] || .ci/with-jdk25 mvn -q -DskipTests package

OUT="${BENCH_OUT:-$ROOT/bench/out/$(date +%Y%m%dT%H%M%S)}"
mkdir -p "$OUT"
gcc -O2 -Wall -o "$OUT/load" bench/load.c
gcc -O2 -Wall -o "$OUT/floor" bench/floor.c

# The image's JVM flags (src/main/jvm/jvm.options, which the Dockerfile installs for its ENTRYPOINT and
# its AOT training run) and the memory limit of the DaemonSet (deploy/kubernetes/daemonset.yaml) as
# -XX:MaxRAM, which is what a container's limit is to the JVM: the heap percentages apply to it.
# The driver trains the AOT cache as the Dockerfile does and starts every measured JVM with it.
LIMIT_MIB="${BENCH_MEMORY_LIMIT_MIB:-$(awk '/limits:/ { l = 1 } l && /memory:/ { sub(/Mi$/, "", $2); print $2; exit }' deploy/kubernetes/daemonset.yaml)}"
[ -n "$LIMIT_MIB" ] || { echo "bench/run.sh: no memory limit in deploy/kubernetes/daemonset.yaml" >&2; exit 1; }
JVM_FLAGS="$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' src/main/jvm/jvm.options | tr -s ' \n' ' ')-XX:MaxRAM=${LIMIT_MIB}m"

NS="tfbench-$$"
. bench/workload-ns.sh
trap 'workload_ns_delete "$NS"' EXIT
trap 'exit 130' INT TERM
workload_ns_create "$NS" "9100,10071-10072"   # node_exporter, ours and the baseline build

{
  echo "date: $(date -u +%FT%TZ)"
  echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src pom.xml || echo ' (dirty)')"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "kernel: $(uname -r)"
  echo "java: $("$JAVA_HOME/bin/java" -version 2>&1 | sed -n 2p)"
  echo "node_exporter: $(prometheus-node-exporter --version 2>&1 | head -n1)"
  echo "ss: $(ss -V)"
  echo "loadavg before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "jar: $JAR ($(unzip -p "$JAR" META-INF/MANIFEST.MF 2>/dev/null | grep -m1 Implementation-Version | tr -d "\r" || true))"
  [ -n "${BENCH_BASELINE_JAR:-}" ] && echo "baseline jar: $BENCH_BASELINE_JAR ($(unzip -p "$BENCH_BASELINE_JAR" META-INF/MANIFEST.MF 2>/dev/null | grep -m1 -i 'revision\|Implementation-Version' | tr -d "\r" || true))"
  echo "jvm flags: $JVM_FLAGS (src/main/jvm/jvm.options; -XX:MaxRAM is the DaemonSet's memory limit) + the AOT cache the driver trains"
  echo "command: bench/run.sh (BENCH_SCALES=${BENCH_SCALES:-1000,10000,100000} BENCH_SCRAPES=${BENCH_SCRAPES:-30} BENCH_WARMUP=${BENCH_WARMUP:-20} BENCH_STEADY_AFTER=${BENCH_STEADY_AFTER:-300})"
} > "$OUT/machine.txt"

rc=0
timeout --kill-after=10 "${BENCH_TIMEOUT:-1800}" ip netns exec "$NS" /usr/bin/python3 bench/driver.py \
  --java "$JAVA_HOME/bin/java" --jcmd "$JAVA_HOME/bin/jcmd" --jar "$JAR" --load "$OUT/load" --floor "$OUT/floor" \
  --node-exporter "$(command -v prometheus-node-exporter)" --out "$OUT" --jvm-flags "$JVM_FLAGS" \
  --scales "${BENCH_SCALES:-1000,10000,100000}" --scrapes "${BENCH_SCRAPES:-30}" --warmup "${BENCH_WARMUP:-20}" \
  --steady-after "${BENCH_STEADY_AFTER:-300}" \
  --max-seconds "${BENCH_TIMEOUT:-1800}" --baseline-jar "${BENCH_BASELINE_JAR:-}" || rc=$?
[ "$rc" = 0 ] || echo "bench/run.sh: the driver ended with status $rc; the report has the sizes it finished" >&2
echo "loadavg after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"
[ -f "$OUT/results.json" ] || exit "${rc:-1}"
/usr/bin/python3 bench/report.py "$OUT" > "$OUT/results.md"
cat "$OUT/results.md"
exit "$rc"
