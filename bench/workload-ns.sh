# Sourced by bench/run.sh and bench/ab.sh: the benchmark's network namespace.
# workload_ns_create NS PORTS: makes NS with the workload's loopback addresses and sysctls; PORTS are the
# exporters' listening ports, reserved with the workload's listeners' so that no client end takes them.
# workload_ns_delete NS: stops every process in NS (TERM, then KILL) and deletes it.
workload_ns_delete() {
  local pids
  pids="$(ip netns pids "$1" 2>/dev/null || true)"
  [ -n "$pids" ] && kill -TERM $pids 2>/dev/null || true
  sleep 1
  pids="$(ip netns pids "$1" 2>/dev/null || true)"
  [ -n "$pids" ] && kill -KILL $pids 2>/dev/null || true
  ip netns del "$1" 2>/dev/null || true
}

workload_ns_create() {
  ip netns add "$1"
  ip -n "$1" link set lo up
  for i in $(seq 2 10); do ip -n "$1" addr add "127.0.0.$i/32" dev lo; done   # destinations
  for i in $(seq 1 4); do ip -n "$1" addr add "127.0.1.$i/32" dev lo; done    # sources
  ip netns exec "$1" sysctl -q -w net.ipv4.ip_local_port_range="1024 65535" \
    net.ipv4.tcp_max_tw_buckets=262144 net.ipv4.tcp_tw_reuse=0 net.core.somaxconn=4096 \
    net.ipv4.ip_local_reserved_ports="8000-8099,9000-9004,$2"
}
