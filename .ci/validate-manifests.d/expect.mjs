// What a kube-prometheus-stack user needs of the rendered manifests (multi-document YAML on stdin),
// beyond the schemas validate.mjs checks:
//
//   node expect.mjs LABEL [--no-operator] [--operator] [--release=NAME] < manifests.yaml
//
// Always, of the DaemonSet: Linux nodes only (nodeSelector kubernetes.io/os: linux), a
// system-cluster-critical priority, a readiness probe that is a TCP connect to a declared container
// port (no read of /metrics, no HTTP that basic auth or TLS would refuse).
// --no-operator: no monitoring.coreos.com object, so it applies without the operator's CRDs.
// --operator: a PodMonitor whose selector matches the pods, whose jobLabel is a pod label with the
//   value "tcp-footgun-exporter" (the job name the alerts and dashboard expect), whose endpoint port
//   is a declared container port, and which, like the PrometheusRule, is in the DaemonSet's namespace.
// --release=NAME: the PodMonitor and PrometheusRule carry release: NAME.
// --unprivileged: every pod's namespace read with no capability, as README "Capabilities" measures:
//   hostPID, --collector.netns, uid 65534, non-root, read-only root, no escalation, ALL dropped, none added.
// --setns: the tcp_info add-on: the same pod view, as root with exactly SYS_ADMIN, SYS_PTRACE, NET_ADMIN.
// Prints one line per check; exits 1 if any failed.
import { parseAllDocuments } from "yaml";

const [label, ...flags] = process.argv.slice(2);
const input = await new Promise((resolve) => {
  let text = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk) => (text += chunk));
  process.stdin.on("end", () => resolve(text));
});
const objects = parseAllDocuments(input).map((d) => d.toJS()).filter((o) => o);
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${label}: ${what}`);
  if (!ok) failures.push(what);
};

const daemonSets = objects.filter((o) => o.kind === "DaemonSet");
check(daemonSets.length === 1, "one DaemonSet");
const ds = daemonSets[0] ?? {};
const pod = ds.spec?.template?.spec ?? {};
const podLabels = ds.spec?.template?.metadata?.labels ?? {};
const ports = (pod.containers ?? []).flatMap((c) => c.ports ?? []);
const declared = (port) => ports.some((p) => p.name === port || p.containerPort === port);
check(pod.nodeSelector?.["kubernetes.io/os"] === "linux", "DaemonSet nodeSelector kubernetes.io/os: linux");
check(pod.priorityClassName === "system-cluster-critical", "DaemonSet priorityClassName system-cluster-critical");
for (const c of pod.containers ?? []) {
  const r = c.readinessProbe;
  check(r?.tcpSocket !== undefined && declared(r.tcpSocket.port) && !r.httpGet && !r.exec,
    `container ${c.name}: readiness probe is a TCP connect to a declared port`);
  for (const kind of ["readinessProbe", "livenessProbe", "startupProbe"]) {
    const path = c[kind]?.httpGet?.path;
    check(path === undefined || !path.startsWith("/metrics"), `container ${c.name}: ${kind} does not read /metrics`);
  }
}

const exporter = (pod.containers ?? [])[0] ?? {};
const security = exporter.securityContext ?? {};
const added = [...(security.capabilities?.add ?? [])].sort().join(",");
if (flags.includes("--unprivileged") || flags.includes("--setns")) {
  check(pod.hostPID === true && (exporter.args ?? []).includes("--collector.netns"),
    "DaemonSet reads every pod's namespace (hostPID, --collector.netns)");
}
if (flags.includes("--unprivileged")) {
  check(security.runAsUser === 65534 && security.runAsNonRoot === true && security.readOnlyRootFilesystem === true
    && security.allowPrivilegeEscalation === false && (security.capabilities?.drop ?? []).includes("ALL") && added === "",
    "exporter runs as 65534, non-root, read-only root, no escalation, every capability dropped, none added");
}
if (flags.includes("--setns")) {
  check(security.runAsUser === 0 && added === "NET_ADMIN,SYS_ADMIN,SYS_PTRACE",
    "exporter runs as root with SYS_ADMIN, SYS_PTRACE and NET_ADMIN only (setns into pods)");
}

const operator = objects.filter((o) => (o.apiVersion ?? "").startsWith("monitoring.coreos.com/"));
if (flags.includes("--no-operator")) {
  check(operator.length === 0, `no monitoring.coreos.com objects (found ${operator.map((o) => o.kind).join(", ") || "none"})`);
}
if (flags.includes("--operator")) {
  const pms = operator.filter((o) => o.kind === "PodMonitor");
  const rules = operator.filter((o) => o.kind === "PrometheusRule");
  check(pms.length === 1 && rules.length === 1, "one PodMonitor and one PrometheusRule");
  const pm = pms[0] ?? {};
  const selector = pm.spec?.selector?.matchLabels ?? {};
  check(Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => podLabels[k] === v),
    "PodMonitor selector matches the DaemonSet's pods");
  const jobLabel = pm.spec?.jobLabel;
  check(jobLabel !== undefined && podLabels[jobLabel] === "tcp-footgun-exporter",
    `PodMonitor jobLabel ${jobLabel} is a pod label whose value, the job, is tcp-footgun-exporter`);
  const endpoints = pm.spec?.podMetricsEndpoints ?? [];
  check(endpoints.length > 0 && endpoints.every((e) => declared(e.port)), "PodMonitor endpoints name a declared port");
  const ns = ds.metadata?.namespace;
  check(ns !== undefined && [pm, ...rules].every((o) => o.metadata?.namespace === ns),
    `PodMonitor and PrometheusRule in the DaemonSet's namespace ${ns}`);
}
const release = flags.find((f) => f.startsWith("--release="))?.slice("--release=".length);
if (release !== undefined) {
  for (const o of operator) {
    check(o.metadata?.labels?.release === release, `${o.kind} has the label release: ${release}`);
  }
}
process.exit(failures.length ? 1 : 0);
