#!/usr/bin/env python3
"""Writes grafana/tcp-footgun-dashboard.json.

The JSON is what users import; this script is its source, so the eleven risk panels and the
per-panel descriptions stay uniform. Edit here, run `python3 grafana/generate_dashboard.py`, and
commit both. AlertRulesTest checks the JSON (a risk panel per footgun, a description on every
panel) and extracts every panel's PromQL for the end-to-end test.

Conventions used below:
- every query selects the dashboard's variables (job, cluster, node, instance: the selector I);
  rates use $__rate_interval; cluster and node match series without those labels too (".*");
- "no value" text goes in fieldConfig.defaults.noValue (where Grafana reads it), never on the panel;
- a panel's unit follows its metric's unit suffix (_seconds: s, _bytes: bytes, _ratio: percentunit
  or none); a seconds-valued sysctl, whose name has no suffix, gets unit s through an override;
- a panel whose data needs netlink sock_diag, or exists only on some kernels, says so in its
  description (the end-to-end test lists those panels as allowed to be empty).
"""
import json
import os

REPO = "https://github.com/tcp-footgun-exporter/tcp-footgun-exporter"
DS = {"type": "prometheus", "uid": "${datasource}"}
I = 'job=~"$job",cluster=~"$cluster",node=~"$node",instance=~"$instance"'
NETLINK = (" Needs netlink sock_diag (NETLINK_SOCK_DIAG / inet_diag with tcp_info): empty when the "
           "exporter reads sockets from /proc/net/tcp.")

FOOTGUNS = [
    ("ephemeral_port_exhaustion", "Ephemeral ports", "1",
     "Share of ephemeral ports used towards the worst destination. Bad: at 0.8 the next burst of "
     "short connections can fail with EADDRNOTAVAIL; 1 means connect() is failing now."),
    ("time_wait_misguided_tuning", "TIME_WAIT tuning", "1",
     "TIME_WAIT tuned instead of fixed: tcp_fin_timeout lowered (it does not shorten TIME_WAIT) or "
     "TIME_WAIT buckets overflowing. Bad: connections are closed without TIME_WAIT protection."),
    ("tw_recycle_nat", "tw_recycle + NAT", "2",
     "tcp_tw_recycle on (kernels before 4.12) or passive PAWS rejects rising. Bad: clients behind "
     "one NAT address are dropped at random."),
    ("small_socket_buffers", "Socket buffers", "3",
     "Connections limited by receive window or send buffer. Bad: single-connection throughput is "
     "capped at buffer / RTT, far below the link."),
    ("nagle_delayed_ack", "Nagle + delayed ACK", "4, 5",
     "Sockets on fast paths whose smoothed RTT sits in the 40-200 ms delayed-ACK band. Bad: "
     "request/response traffic without TCP_NODELAY waits 40 ms per exchange."),
    ("keepalive_too_long", "Keepalive", "6",
     "Time to detect a dead peer from tcp_keepalive_* and tcp_retries2. Bad: dead connections "
     "stay in pools for hours and requests hang."),
    ("mss_mtu_mismatch", "MSS vs MTU", "7",
     "Tunnel interfaces whose MTU ignores encapsulation overhead, or MSS above the path. Bad: "
     "full-size segments fragment or disappear."),
    ("pmtu_blackhole", "PMTU blackhole", "8",
     "Full-size segments stalling while tcp_mtu_probing is off. Bad: ICMP fragmentation-needed is "
     "blocked somewhere, large transfers hang while small ones work."),
    ("conntrack_table_full", "Conntrack", "9",
     "conntrack entries / nf_conntrack_max, and drops. Bad: at 1 the kernel drops new connections "
     "silently."),
    ("bbr_without_fq", "BBR without fq", "10",
     "BBR congestion control on an interface without the fq qdisc. Bad: no pacing, packets leave "
     "in bursts and BBR's model breaks."),
    ("reuseport_imbalance", "SO_REUSEPORT", "11",
     "One SO_REUSEPORT listener full while its peers idle. Bad: the kernel keeps hashing new "
     "connections to the stuck worker and drops them."),
    ("listen_queue_overflow", "Listen queues", "11",
     "A listener's accept queue full or overflowing (ListenOverflows) outside any imbalance. Bad: "
     "clients see dropped SYNs and 1 s+ connect delays."),
    ("snat_port_exhaustion", "SNAT ports", "1, 9",
     "Share of the NAT source ports used by the worst (translated source, destination), from the "
     "conntrack table. Bad: at 0.8 a burst of new connections through NAT there is dropped; 1 means "
     "SYNs are being dropped now (insert_failed rising)."),
]


def anchor(fid):
    return REPO + "#footgun-" + fid.replace("_", "-")


class Layout:
    """Places panels left to right on Grafana's 24-column grid, wrapping as needed."""

    def __init__(self):
        self.panels, self.x, self.y, self.row_h, self.next_id = [], 0, 0, 0, 1

    def row(self, title):
        self.newline()
        self.panels.append({"type": "row", "title": title, "collapsed": False, "id": self.next_id,
                            "gridPos": {"h": 1, "w": 24, "x": 0, "y": self.y}, "panels": []})
        self.next_id += 1
        self.y += 1

    def newline(self):
        if self.x:
            self.y += self.row_h
        self.x, self.row_h = 0, 0

    def add(self, panel, w, h):
        if self.x + w > 24:
            self.newline()
        panel["id"] = self.next_id
        self.next_id += 1
        panel["gridPos"] = {"h": h, "w": w, "x": self.x, "y": self.y}
        self.x += w
        self.row_h = max(self.row_h, h)
        self.panels.append(panel)


def target(expr, legend="", ref="A", instant=False, fmt=None):
    t = {"datasource": DS, "expr": expr, "refId": ref, "legendFormat": legend or "__auto",
         "range": not instant, "instant": instant}
    if fmt:
        t["format"] = fmt
    return t


def targets(*specs):
    return [target(e, l, chr(ord("A") + i)) for i, (e, l) in enumerate(specs)]


def panel(kind, title, description, tgts, unit=None, thresholds=None, extra=None, links=None, options=None,
          custom=None, mappings=None, min_=None, max_=None, decimals=None, no_value=None, units=None):
    """units: refId -> unit for queries whose unit differs from the panel's (a field override)."""
    defaults = {"unit": unit or "short", "mappings": mappings or []}
    if no_value is not None:
        defaults["noValue"] = no_value
    if thresholds is not None:
        defaults["thresholds"] = {"mode": "absolute", "steps": thresholds}
    if min_ is not None:
        defaults["min"] = min_
    if max_ is not None:
        defaults["max"] = max_
    if decimals is not None:
        defaults["decimals"] = decimals
    if custom:
        defaults["custom"] = custom
    overrides = [{"matcher": {"id": "byFrameRefID", "options": ref}, "properties": [{"id": "unit", "value": u}]}
                 for ref, u in (units or {}).items()]
    p = {"type": kind, "title": title, "description": description, "datasource": DS,
         "targets": tgts, "fieldConfig": {"defaults": defaults, "overrides": overrides}, "options": options or {}}
    if links:
        p["links"] = links
    if extra:
        p.update(extra)
    return p


def steps(*pairs):
    return [{"color": c, "value": v} for v, c in pairs]


# advice (0.3, a setting only) in blue, apart from the measured warn (yellow) and critical levels
RISK_STEPS = steps((None, "green"), (0.3, "blue"), (0.5, "yellow"), (0.8, "orange"), (1, "red"))
TS = {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 10, "showPoints": "never", "spanNulls": False}
TS_OPTS = {"legend": {"displayMode": "table", "placement": "bottom", "calcs": ["lastNotNull", "max"]},
           "tooltip": {"mode": "multi", "sort": "desc"}}
STAT_OPTS = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
             "colorMode": "background", "graphMode": "none", "textMode": "auto", "justifyMode": "auto",
             "orientation": "auto"}


def timeseries(title, description, tgts, unit="short", stack=False, thresholds=None, units=None):
    custom = dict(TS)
    if stack:
        custom["stacking"] = {"mode": "normal", "group": "A"}
    if thresholds:
        custom["thresholdsStyle"] = {"mode": "line"}
    return panel("timeseries", title, description, tgts, unit=unit, custom=custom, options=TS_OPTS,
                 thresholds=thresholds, units=units)


def rate(metric, extra=""):
    sel = I + ("," + extra if extra else "")
    return f"rate({metric}{{{sel}}}[$__rate_interval])"


def build():
    L = Layout()

    # --- Risk overview -------------------------------------------------------------------------
    L.row("Footgun risk (0 fine, 0.3 advice: a setting only, 0.5 warn and 0.8 critical: measured harm, 1 failing now)")
    for fid, short, seed, meaning in FOOTGUNS:
        L.add(panel(
            "stat", f"§{seed} {short}",
            f"footgun_risk_ratio{{footgun=\"{fid}\"}}. {meaning} Blue (0.3) is advice: a setting that "
            f"could hurt, nothing measured hurting. Empty (\"unknown\") when the data this check needs is "
            f"unavailable on this node. Click the link for levels and the fix.",
            [target(f'footgun_risk_ratio{{{I},footgun="{fid}"}}', "{{footgun}}")],
            unit="none", thresholds=RISK_STEPS, min_=0, max_=1, decimals=2, options=STAT_OPTS,
            links=[{"title": "What this means and the fix", "url": anchor(fid), "targetBlank": True}],
            no_value="unknown"), 4, 4)
    L.add(panel(
        "stat", "Worst risk",
        "Highest footgun_risk_ratio on this node (recording rule instance:footgun_risk:max). Bad: "
        "0.5 and above means at least one footgun needs attention; see the findings table.",
        [target(f"instance:footgun_risk:max{{{I}}}", "worst")],
        unit="none", thresholds=RISK_STEPS, min_=0, max_=1, decimals=2, options=STAT_OPTS), 4, 4)
    L.add(panel(
        "table", "Warnings and critical findings",
        "The footguns whose harm this node measures now (status warn or critical), from "
        "footgun_finding_status. Bad: any row; the exporter's page (/) has the evidence and fix. "
        "Advice is listed apart, next to this table.",
        [target(f'footgun_finding_status{{{I},footgun_finding_status=~"warn|critical"}} == 1', ref="A",
                instant=True, fmt="table")],
        no_value="none: nothing harmful measured",
        options={"showHeader": True, "cellHeight": "sm"},
        extra={"transformations": [{"id": "organize", "options": {
            "excludeByName": {"Time": True, "Value": True, "__name__": True, "job": True},
            "indexByName": {"footgun": 0, "footgun_finding_status": 1},
            "renameByName": {"footgun_finding_status": "status"}}}]}), 12, 6)
    L.add(panel(
        "table", "Advice (configuration only)",
        "Footguns with status advice: a setting that could hurt (Linux's keepalive defaults, BBR "
        "without fq, tcp_mtu_probing off beside a small MTU), with nothing on this node measured "
        "hurting. Info alerts, paging nobody. Bad: not urgent - fix when convenient; a row that "
        "moves to the warnings table is measured harm.",
        [target(f'footgun_finding_status{{{I},footgun_finding_status="advice"}} == 1', ref="A",
                instant=True, fmt="table")],
        no_value="none",
        options={"showHeader": True, "cellHeight": "sm"},
        extra={"transformations": [{"id": "organize", "options": {
            "excludeByName": {"Time": True, "Value": True, "__name__": True, "job": True, "footgun_finding_status": True},
            "indexByName": {"footgun": 0}}}]}), 12, 6)
    L.add(panel(
        "table", "Findings and evidence",
        "One row per footgun: status (ok, advice, warn, critical, unknown). Bad: any warn or critical "
        "row; advice is a setting to fix when convenient; unknown means the kernel does not offer the "
        "data.",
        [target(f"footgun_finding_status{{{I}}} == 1", ref="A", instant=True, fmt="table")],
        options={"showHeader": True, "cellHeight": "sm"},
        extra={"transformations": [{"id": "organize", "options": {
            "excludeByName": {"Time": True, "Value": True, "__name__": True, "job": True, "instance": True},
            "indexByName": {"footgun": 0, "footgun_finding_status": 1, "evidence": 2},
            "renameByName": {"footgun_finding_status": "status"}}}]}), 24, 8)

    # --- Namespaces and pods -----------------------------------------------------------------------
    L.row("Namespaces and pods (--collector.netns)")
    pods = (f" * on(instance, job, netns) group_left(pod_namespace, pod_name) footgun_netns_info{{{I}}}")
    NETNS = (" Needs --collector.netns (every network namespace of the node read); empty without it. "
             "Namespaces past --netns.top are summed as netns=\"other\", with no pod.")
    L.add(panel(
        "bargauge", "Worst Kubernetes namespaces by risk",
        "The highest footgun risk among the pods of each Kubernetes namespace on this node "
        "(footgun_netns_risk_ratio joined with footgun_netns_info). Bad: 0.5 and above (a measured "
        "warning); 0.3 is advice." + NETNS,
        [target(f"topk(10, max by (pod_namespace) (footgun_netns_risk_ratio{{{I}}}{pods}))", "{{pod_namespace}}",
                instant=True)],
        unit="none", min_=0, max_=1, decimals=2, thresholds=RISK_STEPS,
        options={"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                 "orientation": "horizontal", "displayMode": "gradient", "showUnfilled": True}), 8, 8)
    L.add(timeseries(
        "TIME_WAIT per pod",
        "TIME_WAIT sockets in each pod's network namespace, outbound and inbound together. Bad: one "
        "pod holding most of the node's TIME_WAIT towards one destination - compare with its ports "
        "in use." + NETNS,
        [target(f"topk(10, sum by (pod_namespace, pod_name) (footgun_netns_tcp_time_wait_sockets{{{I}}}{pods}))",
                "{{pod_namespace}}/{{pod_name}}")]), 8, 8)
    L.add(timeseries(
        "Ephemeral ports per pod",
        "Ephemeral ports in use in each pod's network namespace (every destination group summed). "
        "Bad: a pod close to its usable range towards one destination (the per-destination panel "
        "below, and footgun_netns_risk_ratio{footgun=\"ephemeral_port_exhaustion\"})." + NETNS,
        [target(f"topk(10, sum by (pod_namespace, pod_name) (footgun_netns_ephemeral_ports_in_use{{{I}}}{pods}))",
                "{{pod_namespace}}/{{pod_name}}")]), 8, 8)

    # --- Conntrack ---------------------------------------------------------------------------
    L.row("Conntrack (§9)")
    L.add(panel(
        "gauge", "Conntrack table use",
        "nf_conntrack_count / nf_conntrack_max. Bad: above 75% (warning) and 90% (critical); at 100% "
        "the kernel drops new connections with only a dmesg line.",
        [target(f"instance:footgun_conntrack_usage:ratio{{{I}}}", "use")],
        unit="percentunit", min_=0, max_=1,
        thresholds=steps((None, "green"), (0.75, "yellow"), (0.9, "red")),
        options={"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                 "showThresholdMarkers": True}), 5, 7)
    L.add(panel(
        "stat", "Conntrack time to full",
        "Time until the table is full at the growth of the last 30 minutes. Bad: under an hour "
        "(FootgunConntrackFullWithinHour); \"not filling\" when the table is not growing.",
        [target(f"clamp_max(instance:footgun_conntrack_time_to_full:seconds{{{I}}}, 604800)", "time to full")],
        unit="s", options=STAT_OPTS,
        thresholds=steps((None, "red"), (3600, "orange"), (86400, "green")),
        mappings=[{"type": "range", "options": {"from": 604800, "to": 1e308,
                                                "result": {"text": "not filling", "color": "green"}}}]), 5, 7)
    L.add(timeseries(
        "Conntrack entries vs limit",
        "Entries in this namespace's table against nf_conntrack_max (global). Bad: the entries line "
        "approaching the limit line.",
        targets((f"footgun_conntrack_entries{{{I}}}", "entries"),
                (f"footgun_conntrack_entries_limit{{{I}}}", "limit (nf_conntrack_max)"))), 7, 7)
    L.add(timeseries(
        "Conntrack drops",
        "Per second: packets dropped for lack of an entry (drop), unassured entries evicted to make "
        "room (early_drop), inserts that failed (insert_failed, often SNAT races). Bad: anything "
        "above zero; drop means connections failing now.",
        targets((rate("footgun_conntrack_drop_total"), "drop"),
                (rate("footgun_conntrack_early_drop_total"), "early_drop"),
                (rate("footgun_conntrack_insert_failed_total"), "insert_failed")), unit="pps"), 7, 7)

    # --- What fills the table, and source NAT (from the conntrack dump) ----------------------------
    L.row("Conntrack by destination and source NAT (§1 NAT form, §9)")
    L.add(panel(
        "bargauge", "NAT source port use per destination",
        "NAT source ports held per (translated source, destination) as a share of the ports NAT may use "
        "there (the MASQUERADE/SNAT rule's range, or 1024-65535). Bad: above 80% "
        "(FootgunSnatPortExhaustion); at 100% new connections through NAT there are dropped.",
        [target(f"1 - footgun_snat_ports_free{{{I},dst_ip!=\"other\"}} / footgun_snat_ports_usable{{{I}}}",
                "{{protocol}} {{src_ip}} → {{dst_ip}}:{{dst_port}}")],
        unit="percentunit", min_=0, max_=1,
        thresholds=steps((None, "green"), (0.5, "yellow"), (0.8, "red")),
        options={"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                 "orientation": "horizontal", "displayMode": "gradient", "showUnfilled": True}), 8, 8)
    L.add(timeseries(
        "NAT ports held, TIME_WAIT and headroom",
        "Per NAT group: ports held, of them in TIME_WAIT, and the new connections per second the free "
        "ports absorb at nf_conntrack_tcp_timeout_time_wait. Bad: held close to usable, or headroom "
        "near zero while TIME_WAIT holds most of the ports (pool connections, shorten the timeout).",
        targets((f"footgun_snat_ports_held{{{I}}}", "held {{protocol}} {{src_ip}} → {{dst_ip}}:{{dst_port}}"),
                (f"footgun_snat_ports_time_wait{{{I}}}", "TIME_WAIT {{src_ip}} → {{dst_ip}}:{{dst_port}}"),
                (f"footgun_snat_port_headroom_connections_per_second{{{I}}}", "headroom/s {{dst_ip}}:{{dst_port}}"))), 8, 8)
    L.add(timeseries(
        "Conntrack entries per destination",
        "Entries per protocol and original destination (top K, the rest as other). Bad: one "
        "destination holding most of a filling table - that is what to fix, not nf_conntrack_max.",
        [target(f"footgun_conntrack_destination_entries{{{I}}}", "{{protocol}} {{dst_ip}}:{{dst_port}}")]), 8, 8)
    L.add(panel(
        "table", "Who sends to the top destinations",
        "Entries per top destination and original source address with its pod (\"unknown\" when no "
        "pod has that IP). Bad: one pod holding most of a destination's entries or NAT ports: "
        "connection pooling there is the fix.",
        [target(f"topk(20, footgun_conntrack_destination_source_entries{{{I},src_ip!=\"other\"}})", ref="A",
                instant=True, fmt="table")],
        options={"showHeader": True, "cellHeight": "sm"},
        extra={"transformations": [{"id": "organize", "options": {
            "excludeByName": {"Time": True, "__name__": True, "job": True, "instance": True}}}]}), 12, 8)
    L.add(timeseries(
        "Conntrack entries by protocol and state",
        "From the ctnetlink dump. Bad: tcp time_wait dominating (short connections through NAT), udp "
        "unreplied piling up (a destination not answering, or DNS floods).",
        [target(f"footgun_conntrack_dump_entries{{{I}}}", "{{protocol}} {{state}}")]), 12, 8)

    # --- TIME_WAIT and ephemeral ports -------------------------------------------------------------
    L.row("TIME_WAIT and ephemeral ports (§1, §2)")
    L.add(panel(
        "bargauge", "Ephemeral port use per destination",
        "Ports in use (TIME_WAIT included) from one source IP to one destination IP:port, as a share "
        "of the usable range (ip_local_port_range minus reserved). Bad: above 80% "
        "(FootgunEphemeralPortExhaustion); at 100% connect() fails with EADDRNOTAVAIL.",
        [target(f"instance_destination:footgun_ephemeral_ports_usage:ratio{{{I}}}",
                "{{src_ip}} → {{dst_ip}}:{{dst_port}}")],
        unit="percentunit", min_=0, max_=1,
        thresholds=steps((None, "green"), (0.5, "yellow"), (0.8, "red")),
        options={"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                 "orientation": "horizontal", "displayMode": "gradient", "showUnfilled": True}), 8, 8)
    L.add(timeseries(
        "TIME_WAIT sockets per destination",
        "TIME_WAIT sockets per server end (top K, rest as other): outbound to a remote IP:port, or "
        "inbound, the clients of a local listener (never one series per client port). TIME_WAIT "
        "itself is cheap (~100 bytes each). Bad only when one outbound destination's count nears the "
        "usable port range: compare with the port-use panel.",
        [target(f"footgun_tcp_time_wait_sockets{{{I}}}", "{{direction}} {{dst_ip}}:{{dst_port}}")]), 8, 8)
    L.add(timeseries(
        "New-connection rate vs headroom",
        "Per destination: the current rate of new connections (TIME_WAIT sockets / 60 s) and the "
        "rate the free ports could still absorb (free ports / 60 s). Bad: rate above headroom "
        "(FootgunEphemeralPortHeadroomLow) - a traffic spike will exhaust the ports.",
        targets((f"footgun_ephemeral_port_churn_connections_per_second{{{I}}}",
                 "rate {{src_ip}} → {{dst_ip}}:{{dst_port}}"),
                (f"footgun_ephemeral_port_headroom_connections_per_second{{{I}}}",
                 "headroom {{src_ip}} → {{dst_ip}}:{{dst_port}}")), unit="cps"), 8, 8)
    L.add(timeseries(
        "Ports in use vs usable",
        "Ports in use per destination group against the usable ephemeral range and the reserved "
        "ports. Bad: a destination line close to the usable line.",
        targets((f"footgun_ephemeral_ports_in_use{{{I}}}", "{{src_ip}} → {{dst_ip}}:{{dst_port}}"),
                (f"footgun_ephemeral_ports_usable{{{I}}}", "usable"),
                (f"footgun_ephemeral_ports_reserved{{{I}}}", "reserved"))), 8, 8)
    L.add(timeseries(
        "TCP sockets by state",
        "Sockets per address family and state. Bad: time_wait in the tens of thousands towards few "
        "destinations, close_wait growing (an application not closing), syn_recv piling up (SYN flood "
        "or a slow accept loop).",
        [target(f"footgun_tcp_sockets{{{I}}}", "{{family}} {{state}}")]), 8, 8)
    L.add(panel(
        "stat", "TIME_WAIT sysctls",
        "tcp_tw_reuse (1 or 2 lets outgoing connections reuse TIME_WAIT ports safely), tcp_fin_timeout "
        "(only FIN_WAIT_2; lowering it does not shorten TIME_WAIT), tcp_max_tw_buckets, tcp_timestamps "
        "and ip_local_port_range. Bad: tw_reuse 0 on a busy client, fin_timeout lowered, max_tw_buckets "
        "lowered, a narrow port range.",
        targets((f"footgun_sysctl_net_ipv4_tcp_tw_reuse{{{I}}}", "tcp_tw_reuse"),
                (f"footgun_sysctl_net_ipv4_tcp_fin_timeout{{{I}}}", "tcp_fin_timeout"),
                (f"footgun_sysctl_net_ipv4_tcp_max_tw_buckets{{{I}}}", "tcp_max_tw_buckets"),
                (f"footgun_sysctl_net_ipv4_tcp_timestamps{{{I}}}", "tcp_timestamps"),
                (f"footgun_sysctl_net_ipv4_ip_local_port_range{{{I}}}", "port range {{field}}")),
        unit="none", units={"B": "s"}, options=dict(STAT_OPTS, colorMode="none"),
        thresholds=steps((None, "text"))), 8, 8)
    L.add(panel(
        "stat", "tcp_tw_recycle",
        "net.ipv4.tcp_tw_recycle. Bad: 1 - clients behind one NAT address are dropped at random. The "
        "sysctl exists only on kernels before 4.12, so on newer kernels this panel is empty by design "
        "(\"removed\").",
        [target(f"footgun_sysctl_net_ipv4_tcp_tw_recycle{{{I}}}", "tcp_tw_recycle")],
        unit="none", options=STAT_OPTS, thresholds=steps((None, "green"), (1, "red")),
        no_value="removed (kernel ≥ 4.12)"), 4, 4)
    L.add(timeseries(
        "PAWS passive rejects (old kernels)",
        "TcpExt PAWSPassive per second: SYNs rejected because of their timestamp. Bad: anything above "
        "zero with tcp_tw_recycle=1 (FootgunPawsPassiveRejects). The counter exists only on old "
        "kernels (with tcp_tw_recycle), so this panel is empty on newer ones.",
        [target(rate("footgun_tcpext_paws_passive_total"), "PAWSPassive")], unit="pps"), 4, 4)
    L.add(timeseries(
        "TIME_WAIT lifecycle",
        "Per second: sockets leaving TIME_WAIT on the timer (TW), killed early by reuse or reset "
        "(TWKilled), recycled (TWRecycled), and closes that got no TIME_WAIT because "
        "tcp_max_tw_buckets was full (TCPTimeWaitOverflow). Bad: TCPTimeWaitOverflow above zero.",
        targets((rate("footgun_tcpext_tw_total"), "TW"),
                (rate("footgun_tcpext_tw_killed_total"), "TWKilled"),
                (rate("footgun_tcpext_tw_recycled_total"), "TWRecycled"),
                (rate("footgun_tcpext_tcp_time_wait_overflow_total"), "TCPTimeWaitOverflow")), unit="ops"), 8, 4)
    L.add(timeseries(
        "PAWS rejects (all kernels)",
        "Per second: segments rejected by timestamp on active opens, established and TIME_WAIT "
        "sockets. Bad: a steady rate points at timestamp-mangling middleboxes or NAT clock mixes.",
        targets((rate("footgun_tcpext_paws_active_total"), "PAWSActive"),
                (rate("footgun_tcpext_paws_estab_total"), "PAWSEstab"),
                (rate("footgun_tcpext_paws_timewait_total"), "PAWSTimewait")), unit="pps"), 8, 4)

    # --- TcpExt rates ----------------------------------------------------------------------------
    L.row("TCP counters (/proc/net/netstat, /proc/net/snmp)")
    L.add(timeseries(
        "Listen queue overflows and SYN queue",
        "Per second: accept-queue overflows (ListenOverflows), SYNs dropped at listeners (ListenDrops), "
        "SYN-queue-full drops and cookies, SYN cookies sent. Bad: any overflow or drop "
        "(FootgunListenQueueOverflowing); cookies mean the SYN backlog is exhausted.",
        targets((rate("footgun_tcpext_listen_overflows_total"), "ListenOverflows"),
                (rate("footgun_tcpext_listen_drops_total"), "ListenDrops"),
                (rate("footgun_tcpext_tcp_req_q_full_drop_total"), "TCPReqQFullDrop"),
                (rate("footgun_tcpext_tcp_req_q_full_do_cookies_total"), "TCPReqQFullDoCookies"),
                (rate("footgun_tcpext_syncookies_sent_total"), "SyncookiesSent")), unit="ops"), 8, 8)
    L.add(timeseries(
        "Retransmissions",
        "Share of sent segments retransmitted (5 minute rate), plus retransmission timeouts and SYN "
        "retransmits per second. Bad: a ratio above ~1% on a LAN, timeouts rising (dead peers, "
        "blackholes), SYN retransmits (listeners or conntrack dropping SYNs).",
        targets((f"instance:footgun_tcp_retransmits:ratio_rate5m{{{I}}}", "retransmitted share"),
                (rate("footgun_tcpext_tcp_timeouts_total"), "TCPTimeouts /s"),
                (rate("footgun_tcpext_tcp_syn_retrans_total"), "TCPSynRetrans /s")), unit="ops",
        units={"A": "percentunit"}), 8, 8)
    L.add(timeseries(
        "Connections opened, failed and reset",
        "Per second: active opens (connect()), passive opens (accept), failed attempts, resets of "
        "established connections and resets sent. Bad: attempt fails or resets rising with opens flat.",
        targets((rate("footgun_tcp_active_opens_total"), "ActiveOpens"),
                (rate("footgun_tcp_passive_opens_total"), "PassiveOpens"),
                (rate("footgun_tcp_attempt_fails_total"), "AttemptFails"),
                (rate("footgun_tcp_estab_resets_total"), "EstabResets"),
                (rate("footgun_tcp_out_rsts_total"), "OutRsts")), unit="ops"), 8, 8)
    L.add(timeseries(
        "Delayed ACKs",
        "Per second: delayed ACKs sent, delayed further because the socket was locked, and lost "
        "(quick-ACK mode entered). Bad: a high delayed-ACK rate on request/response services together "
        "with 40 ms latency steps (footgun 4, 5).",
        targets((rate("footgun_tcpext_delayed_acks_total"), "DelayedACKs"),
                (rate("footgun_tcpext_delayed_ack_locked_total"), "DelayedACKLocked"),
                (rate("footgun_tcpext_delayed_ack_lost_total"), "DelayedACKLost")), unit="ops"), 8, 8)
    L.add(timeseries(
        "Path MTU and ICMP unreachables",
        "Per second: MTU probes failed and succeeded (tcp_mtu_probing), ICMP destination unreachable "
        "received (Icmp InDestUnreachs; IcmpMsg InType3 appears only once the first type 3 message "
        "arrived). Bad: MTU probe failures, or no ICMP type 3 at all while full-size segments "
        "retransmit (a PMTU blackhole, footgun 8).",
        targets((rate("footgun_tcpext_tcpmtup_fail_total"), "TCPMTUPFail"),
                (rate("footgun_tcpext_tcpmtup_success_total"), "TCPMTUPSuccess"),
                (rate("footgun_icmp_in_dest_unreachs_total"), "InDestUnreachs"),
                (rate("footgun_icmpmsg_in_type3_total"), "InType3")), unit="ops"), 8, 8)
    L.add(timeseries(
        "TCP memory",
        "Pages in TCP buffers (sockstat mem), orphaned sockets, aborts for lack of memory and entries "
        "into memory pressure per second. Bad: any abort on memory or pressure entry; orphans "
        "nearing tcp_max_orphans.",
        targets((f"footgun_sockstat_tcp_mem_pages{{{I}}}", "mem pages"),
                (f"footgun_sockstat_tcp_orphan{{{I}}}", "orphans"),
                (rate("footgun_tcpext_tcp_abort_on_memory_total"), "TCPAbortOnMemory /s"),
                (rate("footgun_tcpext_tcp_memory_pressures_total"), "TCPMemoryPressures /s"))), 8, 8)
    L.add(timeseries(
        "Sockstat",
        "Sockets in use, allocated and in TIME_WAIT (/proc/net/sockstat), and all sockets of the "
        "namespace. Bad: alloc far above inuse (leaks or orphans), tw near tcp_max_tw_buckets.",
        targets((f"footgun_sockstat_tcp_inuse{{{I}}}", "tcp inuse"),
                (f"footgun_sockstat_tcp_alloc{{{I}}}", "tcp alloc"),
                (f"footgun_sockstat_tcp_tw{{{I}}}", "tcp tw"),
                (f"footgun_sockstat_sockets_used{{{I}}}", "sockets used"))), 8, 8)

    # --- Sockets (netlink) -------------------------------------------------------------------------
    L.row("Socket RTT, windows and destinations (netlink sock_diag)")
    heat = {"calculate": False, "yAxis": {"unit": "s", "axisPlacement": "left"},
            "cellGap": 1, "color": {"mode": "scheme", "scheme": "Oranges", "steps": 64},
            "tooltip": {"mode": "single", "yHistogram": True}, "legend": {"show": True},
            "rowsFrame": {"layout": "auto"}}
    L.add(panel(
        "heatmap", "Smoothed RTT of established sockets",
        "Distribution of srtt over established sockets at each scrape (footgun_tcp_rtt_seconds "
        "buckets). Bad: a band at 40-200 ms on a LAN or loopback (Nagle + delayed ACK, footgun 4/5), "
        "or RTTs far above the path's minimum (queueing, bufferbloat)." + NETLINK,
        [target(f"sum by (le) (footgun_tcp_rtt_seconds_bucket{{{I}}})", "{{le}}", fmt="heatmap")],
        unit="s", options=heat), 12, 8)
    L.add(panel(
        "heatmap", "Minimum RTT of established sockets",
        "Distribution of min_rtt (the path's floor) over established sockets. Compare with the "
        "smoothed RTT heatmap: bad when min RTT is sub-millisecond but smoothed RTT sits at 40 ms+."
        + NETLINK,
        [target(f"sum by (le) (footgun_tcp_min_rtt_seconds_bucket{{{I}}})", "{{le}}", fmt="heatmap")],
        unit="s", options=heat), 12, 8)
    L.add(timeseries(
        "Time limited by window or buffer",
        "Of the time the established sockets open now spent sending (busy_time), the share they were "
        "limited by the peer's receive window (rwnd_limited) or their own send buffer "
        "(sndbuf_limited). Bad: above a few percent - buffers too small for the bandwidth-delay "
        "product (footgun 3). Needs Linux 4.10+." + NETLINK,
        targets((f"footgun_tcp_rwnd_limited_seconds{{{I}}} / (footgun_tcp_busy_seconds{{{I}}} > 0)", "rwnd limited"),
                (f"footgun_tcp_sndbuf_limited_seconds{{{I}}} / (footgun_tcp_busy_seconds{{{I}}} > 0)", "sndbuf limited")),
        unit="percentunit"), 8, 8)
    L.add(panel(
        "heatmap", "Congestion windows",
        "Distribution of cwnd (segments) over established sockets. Bad: large windows stuck at the "
        "same value across sockets often mean a buffer cap, tiny ones on fast paths mean losses."
        + NETLINK,
        [target(f"sum by (le) (footgun_tcp_congestion_window_segments_bucket{{{I}}})", "{{le}}",
                fmt="heatmap")],
        unit="short", options=dict(heat, yAxis={"unit": "short", "axisPlacement": "left"})), 8, 8)
    L.add(panel(
        "heatmap", "Delivery rate",
        "Distribution of tcp_info delivery_rate over established sockets. Bad: a ceiling well below "
        "the link's rate on high-RTT paths (buffer / RTT cap, footgun 3)." + NETLINK,
        [target(f"sum by (le) (footgun_tcp_delivery_rate_bytes_per_second_bucket{{{I}}})", "{{le}}",
                fmt="heatmap")],
        unit="Bps", options=dict(heat, yAxis={"unit": "Bps", "axisPlacement": "left"})), 8, 8)
    L.add(panel(
        "heatmap", "Retransmits per socket",
        "Distribution of total_retrans over established sockets. Bad: a tail of sockets with many "
        "retransmits (lossy paths, PMTU blackholes, footgun 8)." + NETLINK,
        [target(f"sum by (le) (footgun_tcp_retransmits_bucket{{{I}}})", "{{le}}", fmt="heatmap")],
        unit="short", options=dict(heat, yAxis={"unit": "short", "axisPlacement": "left"})), 8, 8)
    L.add(timeseries(
        "RTT per destination",
        "Median and largest smoothed RTT of the established sockets towards each top-K destination. "
        "Bad: a median in the 40-200 ms band for a nearby destination (footgun 4/5), or a max far "
        "above the median." + NETLINK,
        targets((f"footgun_destination_rtt_median_seconds{{{I}}}", "{{dst_ip}}:{{dst_port}} median"),
                (f"footgun_destination_rtt_max_seconds{{{I}}}", "{{dst_ip}}:{{dst_port}} max")),
        unit="s"), 8, 8)
    L.add(timeseries(
        "Sockets per destination",
        "Established sockets per top-K destination. Bad: thousands towards one destination with a "
        "high retransmit rate, or a pool that keeps growing." + NETLINK,
        [target(f"footgun_destination_sockets{{{I}}}", "{{direction}} {{dst_ip}}:{{dst_port}}")]), 8, 8)
    L.add(timeseries(
        "Retransmits per destination",
        "Retransmitted / sent segments over the life of the established sockets towards each top-K "
        "destination. Bad: one destination retransmitting well above the others or above ~1% (a "
        "path problem: loss, MTU, PMTU blackhole)." + NETLINK,
        [target(f"footgun_destination_retransmit_ratio{{{I}}}", "{{dst_ip}}:{{dst_port}}")],
        unit="percentunit"), 8, 8)

    # --- Configuration -----------------------------------------------------------------------------
    L.row("Configuration (sysctls, interfaces, qdiscs)")
    L.add(panel(
        "stat", "Keepalive and dead-peer detection",
        "tcp_keepalive_time / intvl / probes and tcp_retries2. Bad: the defaults 7200 s / 75 s / 9 "
        "(2 h 11 min to notice a dead peer); the seed suggests 300 / 30 / 5 (footgun 6).",
        targets((f"footgun_sysctl_net_ipv4_tcp_keepalive_time{{{I}}}", "keepalive_time"),
                (f"footgun_sysctl_net_ipv4_tcp_keepalive_intvl{{{I}}}", "keepalive_intvl"),
                (f"footgun_sysctl_net_ipv4_tcp_keepalive_probes{{{I}}}", "keepalive_probes"),
                (f"footgun_sysctl_net_ipv4_tcp_retries2{{{I}}}", "tcp_retries2")),
        unit="none", units={"A": "s", "B": "s"}, options=dict(STAT_OPTS, colorMode="none"),
        thresholds=steps((None, "text"))), 8, 5)
    L.add(panel(
        "stat", "Socket buffer limits",
        "net.core.rmem_max / wmem_max and the auto-tuning maximum of tcp_rmem / tcp_wmem. Bad: "
        "below the bandwidth-delay product of your longest path (1 Gbit/s x 80 ms = 10 MB); the "
        "default 208 KB caps one connection at 2.6 MB/s over 80 ms (footgun 3).",
        targets((f"footgun_sysctl_net_core_rmem_max{{{I}}}", "rmem_max"),
                (f"footgun_sysctl_net_core_wmem_max{{{I}}}", "wmem_max"),
                (f"footgun_sysctl_net_ipv4_tcp_rmem{{{I},field=\"max\"}}", "tcp_rmem max"),
                (f"footgun_sysctl_net_ipv4_tcp_wmem{{{I},field=\"max\"}}", "tcp_wmem max")),
        unit="bytes", options=dict(STAT_OPTS, colorMode="none"), thresholds=steps((None, "text"))), 8, 5)
    L.add(panel(
        "stat", "Listen backlog and MTU probing",
        "net.core.somaxconn caps every listen() backlog; tcp_mtu_probing (0 off, 1 after a blackhole "
        "is detected, 2 always). Bad: somaxconn small for busy listeners (footgun 11), probing 0 "
        "where ICMP is filtered (footgun 8).",
        targets((f"footgun_sysctl_net_core_somaxconn{{{I}}}", "somaxconn"),
                (f"footgun_sysctl_net_ipv4_tcp_mtu_probing{{{I}}}", "tcp_mtu_probing")),
        unit="none", options=dict(STAT_OPTS, colorMode="none"), thresholds=steps((None, "text"))), 8, 5)
    L.add(panel(
        "table", "Congestion control and default qdisc",
        "String sysctls: tcp_congestion_control, default_qdisc and the available algorithms. Bad: "
        "bbr with a default_qdisc other than fq, unless every egress interface has an fq root "
        "(footgun 10).",
        [target(f"footgun_sysctl_info{{{I}}}", ref="A", instant=True, fmt="table")],
        options={"showHeader": True, "cellHeight": "sm"},
        extra={"transformations": [{"id": "organize", "options": {
            "excludeByName": {"Time": True, "Value": True, "__name__": True, "job": True, "instance": True},
            "indexByName": {"name": 0, "value": 1}}}]}), 12, 7)
    L.add(panel(
        "table", "Interfaces: kind, MTU and root qdisc",
        "Each interface's kind (vxlan, wireguard, gre, ...), MTU and root qdisc. Bad: a tunnel whose "
        "MTU was not lowered for its overhead (footgun 7), or a root qdisc other than fq while BBR is "
        "in use (footgun 10)." + " Needs the interfaces and qdisc collectors (rtnetlink); empty "
        "until they report.",
        [target(f"footgun_network_mtu_bytes{{{I}}} * on(instance, job, device) group_left(root_qdisc) "
                f"footgun_network_info{{{I}}}", ref="A", instant=True, fmt="table")],
        unit="decbytes", decimals=2, options={"showHeader": True, "cellHeight": "sm"},
        extra={"transformations": [{"id": "organize", "options": {
            "excludeByName": {"Time": True, "__name__": True, "job": True, "instance": True},
            "renameByName": {"Value": "MTU"}}}]}), 12, 7)

    # --- Exporter health -------------------------------------------------------------------------
    L.row("Exporter health")
    L.add(panel(
        "state-timeline", "Collector success",
        "1 when the collector read its kernel source in the scrape, 0 when it failed. Bad: a "
        "collector at 0 for long (FootgunCollectorFailing) - its metrics are missing and the "
        "footguns depending on it show unknown.",
        [target(f"footgun_scrape_collector_success{{{I}}}", "{{collector}}")],
        unit="none", thresholds=steps((None, "red"), (1, "green")),
        mappings=[{"type": "value", "options": {"0": {"text": "failing", "color": "red"},
                                                "1": {"text": "ok", "color": "green"}}}],
        options={"showValue": "never", "mergeValues": True, "rowHeight": 0.9,
                 "legend": {"showLegend": False}}), 12, 7)
    L.add(timeseries(
        "Collector duration",
        "Seconds each collector took in the scrape. Bad: a collector taking seconds (a huge socket "
        "table read from /proc instead of netlink), close to the scrape timeout.",
        [target(f"footgun_scrape_collector_duration_seconds{{{I}}}", "{{collector}}")], unit="s"), 12, 7)
    L.add(timeseries(
        "Parse errors",
        "Lines of kernel files the exporter could not parse, per second, by source. Bad: anything "
        "above zero - a kernel format the exporter does not know (FootgunParseErrors).",
        [target(rate("footgun_parse_errors_total"), "{{source}}")], unit="ops"), 8, 6)
    L.add(panel(
        "table", "Sources and build",
        "Where sockets and conntrack statistics come from (netlink or procfs; conntrack \"none\" when "
        "neither is available) and the exporter build. Bad: sockets from procfs (no tcp_info: the RTT "
        "panels stay empty) or conntrack source none (drops are invisible).",
        targets((f"footgun_socket_source_info{{{I}}}", "sockets"),
                (f"footgun_conntrack_stats_source_info{{{I}}}", "conntrack"),
                (f"footgun_build_info{{{I}}}", "build")),
        options={"showHeader": True, "cellHeight": "sm"},
        extra={"transformations": [{"id": "organize", "options": {
            "excludeByName": {"Time": True, "Value": True, "job": True, "instance": True}}}]}), 16, 6)
    for p in L.panels:
        if p["type"] == "table" or p["title"] == "Sources and build":
            for t in p.get("targets", []):
                t["instant"], t["range"], t["format"] = True, False, "table"
    return L.panels


def variable(name, label, query, all_):
    """A query variable over footgun_build_info; with all_, "All" is ".*" so series without the label match too."""
    v = {"name": name, "label": label, "type": "query", "datasource": DS, "definition": query,
         "query": {"query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery", "qryType": 1},
         "current": {}, "hide": 0, "includeAll": all_, "multi": False, "options": [], "refresh": 2,
         "regex": "", "skipUrlSync": False, "sort": 1}
    if all_:
        v["allValue"] = ".*"
    return v


def dashboard():
    return {
        "annotations": {"list": [{
            "builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"}, "enable": True,
            "hide": True, "iconColor": "rgba(0, 211, 255, 1)", "name": "Annotations & Alerts",
            "type": "dashboard"}]},
        "description": "TCP/IP footguns on one Linux node: risk per footgun, conntrack, TIME_WAIT and "
                       "ephemeral ports, TCP counters, socket RTTs and exporter health "
                       "(tcp-footgun-exporter).",
        "editable": True,
        "fiscalYearStartMonth": 0,
        "graphTooltip": 1,
        "links": [{"title": "Footgun catalogue and fixes", "type": "link", "url": REPO + "#footguns",
                   "targetBlank": True, "icon": "doc", "tags": [], "asDropdown": False,
                   "includeVars": False, "keepTime": False, "tooltip": ""}],
        "panels": build(),
        "refresh": "30s",
        "schemaVersion": 39,
        "tags": ["tcp", "network", "tcp-footgun-exporter"],
        "templating": {"list": [
            {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus",
             "current": {}, "hide": 0, "includeAll": False, "multi": False, "options": [], "refresh": 1,
             "regex": "", "skipUrlSync": False},
            variable("job", "Job", "label_values(footgun_build_info, job)", all_=False),
            # only where Prometheus adds a cluster label; ".*" also matches series without one
            variable("cluster", "Cluster", 'label_values(footgun_build_info{job=~"$job"}, cluster)', all_=True),
            # the PodMonitor's node label (the Kubernetes node name); in Kubernetes instance is podIP:port
            variable("node", "Node", 'label_values(footgun_build_info{job=~"$job",cluster=~"$cluster"}, node)', all_=True),
            variable("instance", "Instance",
                     'label_values(footgun_build_info{job=~"$job",cluster=~"$cluster",node=~"$node"}, instance)', all_=False),
        ]},
        "time": {"from": "now-6h", "to": "now"},
        "timepicker": {},
        "timezone": "",
        "title": "TCP footguns",
        "uid": "tcp-footguns",
        "version": 1,
        "weekStart": "",
    }


if __name__ == "__main__":
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tcp-footgun-dashboard.json")
    with open(out, "w", encoding="utf-8") as f:
        json.dump(dashboard(), f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(out)
