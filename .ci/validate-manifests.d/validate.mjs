// Validates Kubernetes manifests (multi-document YAML on stdin) offline against the API schemas
// compiled into the npm packages kubernetes-models (Kubernetes 1.34's OpenAPI) and
// @kubernetes-models/prometheus-operator (the monitoring.coreos.com CRDs).
//
//   node validate.mjs LABEL < manifests.yaml
//
// Strict like kubeconform -strict: besides types, required fields, enums and formats, a field the
// schema does not know is an error. The compiled validators read every property their schema
// declares, so the validator runs on proxies that record each property read; an own key that was
// never read is unknown to the schema. Prints one line per object, then exits 1 if any failed.
import { parseAllDocuments } from "yaml";

const CORE_GROUPS = {
  "": "Core", apps: "Apps", batch: "Batch", policy: "Policy", autoscaling: "Autoscaling",
  "networking.k8s.io": "Networking", "rbac.authorization.k8s.io": "Rbac",
  "scheduling.k8s.io": "Scheduling", "storage.k8s.io": "Storage",
};

// The compiled schema modules, imported by file: @kubernetes-models/prometheus-operator does not
// export its _schemas folder.
const modules = new URL("./node_modules/", import.meta.url);
async function schemaFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const v = version.charAt(0).toUpperCase() + version.slice(1);
  let file;
  if (group === "monitoring.coreos.com") {
    file = `@kubernetes-models/prometheus-operator/_schemas/ComGithubPrometheusOperatorPrometheusOperatorPkgApisMonitoring${v}${kind}.js`;
  } else if (group in CORE_GROUPS) {
    file = `kubernetes-models/_schemas/IoK8sApi${CORE_GROUPS[group]}${v}${kind}.js`;
  } else {
    throw new Error(`no schema for ${apiVersion} ${kind}`);
  }
  return import(new URL(file, modules));
}

// A deep proxy of `value` that records, per object path, which keys the validator read.
function tracked(value, path, reads) {
  if (value === null || typeof value !== "object") return value;
  const seen = new Set();
  reads.push({ path, value, seen });
  const children = new Map();
  return new Proxy(value, {
    get(target, key, receiver) {
      if (typeof key === "string") seen.add(key);
      const v = Reflect.get(target, key, receiver);
      if (typeof key !== "string" || v === null || typeof v !== "object") return v;
      if (!children.has(key)) children.set(key, tracked(v, `${path}/${key}`, reads));
      return children.get(key);
    },
  });
}

function unknownFields(reads) {
  const unknown = [];
  for (const { path, value, seen } of reads) {
    if (Array.isArray(value)) continue;
    for (const key of Object.keys(value)) if (!seen.has(key)) unknown.push(`${path}/${key}`);
  }
  return unknown;
}

const label = process.argv[2] ?? "stdin";
const input = await new Promise((resolve) => {
  let text = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk) => (text += chunk));
  process.stdin.on("end", () => resolve(text));
});

let failures = 0;
let objects = 0;
for (const doc of parseAllDocuments(input)) {
  if (doc.errors.length) {
    failures++;
    console.log(`FAIL ${label}: YAML: ${doc.errors[0].message}`);
    continue;
  }
  const object = doc.toJS();
  if (object === null || object === undefined) continue;
  objects++;
  const name = `${object.kind ?? "?"}/${object.metadata?.name ?? "?"}`;
  const problems = [];
  if (!object.apiVersion || !object.kind) {
    problems.push("apiVersion and kind are required");
  } else {
    try {
      const { validate } = await schemaFor(object.apiVersion, object.kind);
      const reads = [];
      if (!validate(tracked(object, "", reads))) {
        for (const e of validate.errors ?? []) {
          problems.push(`${e.instancePath || "/"} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
        }
      }
      for (const field of unknownFields(reads)) problems.push(`${field}: unknown field`);
    } catch (e) {
      problems.push(e.code === "ERR_MODULE_NOT_FOUND" ? `no schema for ${object.apiVersion} ${object.kind}` : String(e.message ?? e));
    }
  }
  if (problems.length) {
    failures++;
    console.log(`FAIL ${label}: ${object.apiVersion} ${name}`);
    for (const p of problems) console.log(`       ${p}`);
  } else {
    console.log(`ok   ${label}: ${object.apiVersion} ${name}`);
  }
}
if (objects === 0) {
  console.log(`FAIL ${label}: no objects`);
  failures++;
}
process.exit(failures ? 1 : 0);
