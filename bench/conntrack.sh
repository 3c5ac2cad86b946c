#!/usr/bin/env bash
# The conntrack dump against conntrack-tools on one table, as root:
#   bench/conntrack.sh [ENTRIES...]     (default: 20000 200000)
# For each size, a fresh network namespace gets that many UDP conntrack entries (raw UDP datagrams on
# loopback from distinct source address/port pairs to 10 destinations, udp timeout 600 s), then, in
# the same run and namespace: `conntrack -C`, `conntrack -L > /dev/null` (wall time and max RSS, 5
# times each), and the exporter with the image's JVM flags (jvm.options, -XX:MaxRAM the DaemonSet's
# limit), scraped 5 times: footgun_scrape_collector_duration_seconds{collector="conntrack_entries"}
# (the dump and its aggregation) and the exporter's VmRSS/VmHWM. The namespace and its entries are
# deleted afterwards. The host's table limit (nf_conntrack_max, 262144 here) is shared by every
# namespace: keep the largest size well below it.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
SIZES=("$@"); [ ${#SIZES[@]} -gt 0 ] || SIZES=(20000 200000)
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
JAR="${BENCH_JAR:-$ROOT/target/tcp-footgun-exporter.jar}"
[ -f "$JAR" ] || .ci/with-jdk25 mvn -q -DskipTests package
LIMIT_MIB="$(awk '/limits:/ { l = 1 } l && /memory:/ { sub(/Mi$/, "", $2); print $2; exit }' deploy/kubernetes/daemonset.yaml)"
JVM_FLAGS="$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' src/main/jvm/jvm.options | tr -s ' \n' ' ')-XX:MaxRAM=${LIMIT_MIB}m"
PORT=10079
NS=""
EXPORTER=""
cleanup() {
  [ -n "$EXPORTER" ] && kill "$EXPORTER" 2>/dev/null && wait "$EXPORTER" 2>/dev/null || true
  [ -n "$NS" ] && ip netns del "$NS" 2>/dev/null || true
  rm -f "/tmp/fgct-time-$$"
}
trap cleanup EXIT

max=$(cat /proc/sys/net/netfilter/nf_conntrack_max)
echo "kernel $(uname -r); host nf_conntrack_max $max, host table now $(cat /proc/sys/net/netfilter/nf_conntrack_count); load $(cut -d' ' -f1-3 /proc/loadavg); jvm flags: $JVM_FLAGS"
echo
echo "| entries | conntrack -C (s) | conntrack -L > /dev/null (s, median of 5) | conntrack -L max RSS (MiB) | exporter dump+aggregate (s, median of 5) | exporter VmRSS / VmHWM (MiB) |"
echo "|---|---|---|---|---|---|"
for n in "${SIZES[@]}"; do
  NS="fgct-bench-$$-$n"
  ip netns add "$NS"
  ip -n "$NS" link set lo up
  for a in 1 2 3 4; do ip -n "$NS" addr add "127.1.0.$a/8" dev lo 2>/dev/null || true; done
  ip netns exec "$NS" iptables -A INPUT -m conntrack --ctstate NEW -j ACCEPT
  ip netns exec "$NS" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=600
  ip netns exec "$NS" python3 - "$n" <<'PY'
import socket, struct, sys
n = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
dst = socket.inet_aton("127.0.0.1")
for i in range(n):
    src = socket.inet_aton("127.1.0.%d" % (1 + i // 60000))
    sport = 1024 + i % 60000
    dport = 5000 + i % 10
    udp = struct.pack("!HHHH", sport, dport, 9, 0) + b"x"
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, src, dst)
    s.sendto(ip + udp, ("127.0.0.1", 0))
PY
  count=$(ip netns exec "$NS" cat /proc/sys/net/netfilter/nf_conntrack_count)
  /usr/bin/time -o "/tmp/fgct-time-$$" -f %e ip netns exec "$NS" conntrack -C >/dev/null
  c=$(tail -1 "/tmp/fgct-time-$$")
  ls=(); rss=0
  for _ in 1 2 3 4 5; do
    /usr/bin/time -o "/tmp/fgct-time-$$" -f "%e %M" ip netns exec "$NS" conntrack -L >/dev/null 2>&1
    out=$(tail -1 "/tmp/fgct-time-$$")
    ls+=("${out% *}"); r=${out#* }; [ "$r" -gt "$rss" ] && rss=$r
  done
  lmed=$(printf '%s\n' "${ls[@]}" | sort -n | sed -n 3p)
  # shellcheck disable=SC2086
  ip netns exec "$NS" "$JAVA_HOME/bin/java" $JVM_FLAGS -jar "$JAR" --web.listen-address=127.0.0.1:$PORT \
      --collector.conntrack.dump-limit=1000000 >/dev/null 2>&1 &
  EXPORTER=$!
  for _ in $(seq 1 100); do ip netns exec "$NS" curl -fsS -o /dev/null "http://127.0.0.1:$PORT/metrics" 2>/dev/null && break; sleep 0.2; done
  ds=()
  for _ in 1 2 3 4 5; do
    d=$(ip netns exec "$NS" curl -fsS "http://127.0.0.1:$PORT/metrics" | awk -F' ' '/^footgun_scrape_collector_duration_seconds\{collector="conntrack_entries"\}/ {print $2}')
    seen=$(ip netns exec "$NS" curl -fsS "http://127.0.0.1:$PORT/metrics" | awk '/^footgun_conntrack_dump_entries\{/ {s += $2} END {print s}')
    ds+=("$d")
  done
  dmed=$(printf '%s\n' "${ds[@]}" | sort -g | sed -n 3p)
  vm=$(awk '/VmRSS|VmHWM/ {printf "%s ", int($2/1024)}' "/proc/$EXPORTER/status")
  kill "$EXPORTER"; wait "$EXPORTER" 2>/dev/null || true; EXPORTER=""
  printf '| %s (table %s, dump saw %s) | %s | %s | %s | %.3f | %s |\n' "$n" "$count" "$seen" "$c" "$lmed" "$((rss / 1024))" "$dmed" "$(echo $vm | awk '{print $2 " / " $1}')"
  ip netns del "$NS"; NS=""
done
echo
echo "host table after: $(cat /proc/sys/net/netfilter/nf_conntrack_count)"
