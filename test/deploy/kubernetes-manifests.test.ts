import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { configSchema, type SwitchboardConfig } from '../../src/config/config-schema.js';
import { substituteEnv } from '../../src/config/load-config.js';
import { validateKubernetesObject, type KubernetesObject } from './kubernetes-schema.js';
import { parseYamlDocuments, renderKustomization } from './kustomize-render.js';
import { secretValueProblem } from './secret-scan.js';

// Compiled tests live in <outDir>/test/deploy/, and every outDir sits at the repository root.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const kubernetesDirectory = join(root, 'deploy/kubernetes');
const baseDirectory = join(kubernetesDirectory, 'base');
const eksDirectory = join(kubernetesDirectory, 'overlays/eks');
assert.ok(existsSync(baseDirectory), `no kustomize base at ${baseDirectory}`);

const inflightMetric = 'switchboard_inflight_requests';

interface Probe {
  httpGet?: { path?: string; port?: number | string };
}
interface Container {
  name: string;
  image?: string;
  args?: string[];
  env?: { name: string; value?: string }[];
  envFrom?: { secretRef?: { name: string }; configMapRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command?: string[] } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: SecurityContext;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { drop?: string[] };
  seccompProfile?: { type?: string };
}
interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    serviceAccountName?: string;
    terminationGracePeriodSeconds?: number;
    securityContext?: SecurityContext;
    containers: Container[];
    volumes?: { name: string; configMap?: { name: string }; emptyDir?: object }[];
  };
}
interface Deployment extends KubernetesObject {
  spec: { replicas?: number; selector: { matchLabels: Record<string, string> }; template: PodTemplate };
}
interface MetricSpec {
  type: string;
  pods?: { metric: { name: string }; target: { type: string; averageValue?: string | number } };
  resource?: { name: string; target: { type: string; averageUtilization?: number } };
}
interface Autoscaler extends KubernetesObject {
  spec: { scaleTargetRef: { apiVersion: string; kind: string; name: string }; minReplicas?: number; maxReplicas: number; metrics: MetricSpec[] };
}

function only<T extends KubernetesObject>(objects: KubernetesObject[], kind: string): T {
  const matches = objects.filter((object) => object.kind === kind);
  assert.equal(matches.length, 1, `expected one ${kind}, found ${matches.length}`);
  return matches[0] as T;
}

function named<T extends KubernetesObject>(objects: KubernetesObject[], kind: string, name: string): T {
  const found = objects.find((object) => object.kind === kind && object.metadata?.name === name);
  assert.ok(found, `no ${kind} named ${name}`);
  return found as T;
}

function decodedSecret(secret: KubernetesObject): Record<string, string> {
  const data = (secret.data ?? {}) as Record<string, string>;
  const stringData = (secret.stringData ?? {}) as Record<string, string>;
  return { ...Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')])), ...stringData };
}

/** Kubernetes quantities as a number: "2000", "2k", "500m", "2Gi". */
function quantity(value: string | number): number {
  if (typeof value === 'number') return value;
  const match = /^([0-9.]+)(m|k|M|G|Ki|Mi|Gi)?$/.exec(value);
  assert.ok(match, `not a quantity: ${value}`);
  const scale: Record<string, number> = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };
  return Number(match[1]) * (match[2] ? scale[match[2]]! : 1);
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels[key] === value);
}

function containerPort(container: Container, port: number | string | undefined): number | undefined {
  return typeof port === 'number' ? port : container.ports?.find((candidate) => candidate.name === port)?.containerPort;
}

/** The config as the schema reads it (defaults applied), after substituting the pod's environment; any schema issue fails. */
function checkedConfig(configText: string, env: Record<string, string>): { input: Record<string, unknown>; config: SwitchboardConfig } {
  const missing: string[] = [];
  const input = substituteEnv(parseYaml(configText), env, [], missing) as Record<string, unknown>;
  assert.deepEqual(missing, [], 'every ${NAME} in the config must come from the pod environment');
  const parsed = configSchema.safeParse(input);
  assert.deepEqual(parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`), []);
  return { input, config: parsed.data! };
}

function podEnvironment(objects: KubernetesObject[], container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.secretRef) Object.assign(env, decodedSecret(named(objects, 'Secret', source.secretRef.name)));
    if (source.configMapRef) Object.assign(env, named(objects, 'ConfigMap', source.configMapRef.name).data as Record<string, string>);
  }
  for (const variable of container.env ?? []) if (variable.value !== undefined) env[variable.name] = variable.value;
  return env;
}

const base = renderKustomization(baseDirectory);
// secrets.env is git-ignored and holds real values on an operator's machine: render the example.
const eks = renderKustomization(eksDirectory, {
  readFile: (path) => readFileSync(path.endsWith('/secrets.env') ? `${path}.example` : path, 'utf8'),
});
const deployment = only<Deployment>(base, 'Deployment');
const pod = deployment.spec.template;
const server = pod.spec.containers.find((container) => container.name === 'switchboard') as Container;
assert.ok(server, 'the Deployment has a container named switchboard');

function mountedConfig(objects: KubernetesObject[], target: Deployment): { path: string; text: string } {
  const container = target.spec.template.spec.containers[0]!;
  const args = container.args ?? [];
  const path = args[args.indexOf('--config') + 1];
  assert.ok(args.includes('--config') && path, 'the container must pass --config FILE');
  const mount = container.volumeMounts?.find((candidate) => path.startsWith(candidate.mountPath.replace(/\/?$/, '/')));
  assert.ok(mount, `no volume mounted over ${path}`);
  const volume = target.spec.template.spec.volumes?.find((candidate) => candidate.name === mount.name);
  assert.ok(volume?.configMap, `${mount.mountPath} must be a ConfigMap volume`);
  const key = path.slice(mount.mountPath.replace(/\/?$/, '/').length);
  const text = (named(objects, 'ConfigMap', volume.configMap.name).data as Record<string, string>)[key];
  assert.ok(typeof text === 'string', `ConfigMap ${volume.configMap.name} has no key ${key}`);
  return { path, text };
}

// Checked in the tests that use it (not at load), so a bad config fails a named test.
let baseConfig: ReturnType<typeof checkedConfig> | undefined;
function loadBaseConfig(): ReturnType<typeof checkedConfig> {
  baseConfig ??= checkedConfig(mountedConfig(base, deployment).text, podEnvironment(base, server));
  return baseConfig;
}

describe('Kubernetes manifests under deploy/kubernetes', () => {
  it('every object, rendered or on disk, matches its kind in the Kubernetes API schema, with no unknown field', () => {
    const onDisk: { source: string; object: KubernetesObject }[] = [];
    const accountedFor = new Set<string>();
    const visit = (directory: string) => {
      for (const name of readdirSync(directory)) {
        const path = join(directory, name);
        if (statSync(path).isDirectory()) visit(path);
        else if (/\.ya?ml$/.test(name)) {
          for (const document of parseYamlDocuments(readFileSync(path, 'utf8'), path) as KubernetesObject[]) {
            if (document.kind === 'Kustomization' || (!document.kind && ['config.yaml', 'values.yaml'].includes(name))) accountedFor.add(path);
            else if (typeof document.apiVersion === 'string' && typeof document.kind === 'string') {
              onDisk.push({ source: relative(root, path), object: document });
              accountedFor.add(path);
            }
          }
        }
      }
    };
    visit(kubernetesDirectory);
    const yamlFiles: string[] = [];
    const listYaml = (directory: string) => readdirSync(directory).forEach((name) => (statSync(join(directory, name)).isDirectory() ? listYaml(join(directory, name)) : /\.ya?ml$/.test(name) && yamlFiles.push(join(directory, name))));
    listYaml(kubernetesDirectory);
    assert.deepEqual(yamlFiles.filter((path) => !accountedFor.has(path)).map((path) => relative(root, path)), [], 'YAML files that are neither objects, kustomizations, the config nor the adapter values');

    const rendered = [...base.map((object) => ({ source: 'base (rendered)', object })), ...eks.map((object) => ({ source: 'overlays/eks (rendered)', object }))];
    const problems = [...onDisk, ...rendered].flatMap(({ source, object }) => validateKubernetesObject(object).map((problem) => `${source} ${object.kind}/${object.metadata?.name}: ${problem}`));
    assert.deepEqual(problems, []);
    const kinds = new Set(rendered.map(({ object }) => `${object.apiVersion} ${object.kind}`));
    for (const kind of ['apps/v1 Deployment', 'v1 Service', 'autoscaling/v2 HorizontalPodAutoscaler', 'policy/v1 PodDisruptionBudget', 'v1 ConfigMap', 'v1 Secret', 'v1 ServiceAccount', 'v1 Namespace']) {
      assert.ok(kinds.has(kind), `no ${kind} was validated`);
    }
    assert.ok(onDisk.some(({ source }) => source.includes('overlays/eks/serviceaccount-irsa.yaml')), 'the overlay patch is validated on its own too');
  });

  it('rejects a typo\'d field, a wrong type, a missing required field and an unknown kind', () => {
    const typo = structuredClone(deployment);
    const typoContainer = typo.spec.template.spec.containers[0]! as unknown as Record<string, unknown>;
    typoContainer.readinesProbe = typoContainer.readinessProbe;
    delete typoContainer.readinessProbe;
    assert.match(validateKubernetesObject(typo).join('\n'), /readinesProbe: unknown field/);

    const deepTypo = structuredClone(deployment);
    (deepTypo.spec.template.spec.containers[0]!.livenessProbe!.httpGet as Record<string, unknown>).paht = '/healthz';
    assert.match(validateKubernetesObject(deepTypo).join('\n'), /livenessProbe\/httpGet\/paht: unknown field/);

    const autoscaler = structuredClone(only<Autoscaler>(base, 'HorizontalPodAutoscaler'));
    (autoscaler.spec as Record<string, unknown>).minReplicas = 'three';
    assert.match(validateKubernetesObject(autoscaler).join('\n'), /minReplicas must be integer/);

    const noContainers = structuredClone(deployment) as unknown as { spec: { template: { spec: Record<string, unknown> } } };
    delete noContainers.spec.template.spec.containers;
    assert.match(validateKubernetesObject(noContainers).join('\n'), /containers/);

    assert.match(validateKubernetesObject({ ...deployment, kind: 'Deploymnet' }).join('\n'), /no schema for apps\/v1 Deploymnet/);
    assert.deepEqual(validateKubernetesObject(deployment), [], 'the unmutated original stays valid');
  });

  it('wires the base together: config, secrets, service account and autoscaler target all resolve', () => {
    assert.deepEqual(base.map((object) => object.kind).sort(), ['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Secret', 'Service', 'ServiceAccount']);
    assert.equal(mountedConfig(base, deployment).path, '/etc/switchboard/config.yaml');
    named(base, 'ServiceAccount', pod.spec.serviceAccountName ?? '');
    for (const source of server.envFrom ?? []) if (source.secretRef) named(base, 'Secret', source.secretRef.name);
    const target = only<Autoscaler>(base, 'HorizontalPodAutoscaler').spec.scaleTargetRef;
    assert.deepEqual(target, { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata?.name });
    assert.equal(deployment.spec.replicas, undefined, 'the HPA owns the replica count; an apply must not reset it');
  });

  it('probes readiness on /readyz and liveness on /healthz, on port 8080 where the config listens', () => {
    const { config } = loadBaseConfig();
    assert.equal(server.readinessProbe?.httpGet?.path, '/readyz');
    assert.equal(containerPort(server, server.readinessProbe?.httpGet?.port), 8080);
    assert.equal(server.livenessProbe?.httpGet?.path, '/healthz');
    assert.equal(containerPort(server, server.livenessProbe?.httpGet?.port), 8080);
    if (server.startupProbe) assert.equal(server.startupProbe.httpGet?.path, '/healthz', 'a startup probe must not wait on readiness');
    assert.equal(config.server.port, 8080);
  });

  it('gives the drain time: grace period > the config\'s drainTimeoutMs + the preStop pause', () => {
    const { input: configInput, config } = loadBaseConfig();
    const command = server.lifecycle?.preStop?.exec?.command ?? [];
    assert.equal(command[0], 'sleep', 'preStop pauses with sleep (the image has it)');
    const preStopSeconds = Number(command[1]);
    assert.ok(preStopSeconds > 0 && preStopSeconds <= 10, `preStop sleep of ${command[1]} s`);
    const grace = pod.spec.terminationGracePeriodSeconds ?? 30;
    const drainSeconds = config.server.drainTimeoutMs / 1000;
    assert.ok(grace > drainSeconds + preStopSeconds, `terminationGracePeriodSeconds ${grace} must exceed drain ${drainSeconds} s + preStop ${preStopSeconds} s`);
    assert.equal((configInput.server as Record<string, unknown>).drainTimeoutMs, config.server.drainTimeoutMs, 'the drain timeout is stated in the config, not left to a default');
  });

  it('runs as non-root with a read-only root filesystem, no privilege escalation and no capabilities', () => {
    const effective = (field: keyof SecurityContext) => server.securityContext?.[field] ?? pod.spec.securityContext?.[field];
    assert.equal(effective('runAsNonRoot'), true);
    assert.ok(Number(effective('runAsUser')) > 0, 'a non-zero user id');
    assert.equal(server.securityContext?.allowPrivilegeEscalation, false);
    assert.equal(server.securityContext?.readOnlyRootFilesystem, true);
    assert.deepEqual(server.securityContext?.capabilities?.drop, ['ALL']);
    assert.equal((effective('seccompProfile') as SecurityContext['seccompProfile'])?.type, 'RuntimeDefault');
    const tmp = server.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
    assert.ok(tmp && pod.spec.volumes?.find((volume) => volume.name === tmp.name)?.emptyDir, '/tmp is a writable emptyDir');
  });

  it('sets requests and limits, with a V8 heap below the memory limit', () => {
    const { requests, limits } = server.resources ?? {};
    assert.ok(requests?.cpu && requests.memory && limits?.memory, 'cpu and memory requests and a memory limit');
    assert.ok(quantity(limits.memory) >= quantity(requests.memory));
    const heap = /--max-old-space-size=(\d+)/.exec(server.env?.find((variable) => variable.name === 'NODE_OPTIONS')?.value ?? '');
    assert.ok(heap, 'NODE_OPTIONS sets --max-old-space-size');
    assert.ok(Number(heap[1]) * 1024 ** 2 < quantity(limits.memory) * 0.9, 'the heap leaves room for buffers and sockets');
  });

  it('autoscales on switchboard_inflight_requests per pod and on CPU, below the admission limit', () => {
    const { config } = loadBaseConfig();
    const autoscaler = only<Autoscaler>(base, 'HorizontalPodAutoscaler');
    assert.equal(autoscaler.apiVersion, 'autoscaling/v2');
    const inflight = autoscaler.spec.metrics.find((metric) => metric.type === 'Pods');
    assert.equal(inflight?.pods?.metric.name, inflightMetric);
    assert.equal(inflight?.pods?.target.type, 'AverageValue');
    const target = quantity(inflight?.pods?.target.averageValue ?? 0);
    assert.ok(target > 0 && target < config.limits.maxInFlight, `in-flight target ${target} must sit below limits.maxInFlight ${config.limits.maxInFlight}, or pods refuse turns before the HPA reacts`);
    const cpu = autoscaler.spec.metrics.find((metric) => metric.type === 'Resource' && metric.resource?.name === 'cpu');
    assert.equal(cpu?.resource?.target.type, 'Utilization');
    assert.ok(cpu.resource.target.averageUtilization! > 0 && cpu.resource.target.averageUtilization! <= 100);
    assert.ok(server.resources?.requests?.cpu, 'CPU utilisation needs a CPU request');
    assert.ok((autoscaler.spec.minReplicas ?? 1) >= 2 && autoscaler.spec.maxReplicas > (autoscaler.spec.minReplicas ?? 1));
  });

  it('points the Service and the PodDisruptionBudget at exactly the Deployment\'s pods', () => {
    const labels = pod.metadata.labels;
    assert.ok(selects(deployment.spec.selector.matchLabels, labels), 'Deployment selector');
    const service = only<KubernetesObject & { spec: { selector: Record<string, string>; ports: { targetPort: number | string }[] } }>(base, 'Service');
    assert.ok(selects(service.spec.selector, labels), 'Service selector');
    for (const port of service.spec.ports) assert.equal(containerPort(server, port.targetPort), 8080);
    const budget = only<KubernetesObject & { spec: { selector: { matchLabels: Record<string, string> }; maxUnavailable?: number | string; minAvailable?: number | string } }>(base, 'PodDisruptionBudget');
    assert.ok(selects(budget.spec.selector.matchLabels, labels), 'PodDisruptionBudget selector');
    assert.ok(budget.spec.maxUnavailable !== undefined || budget.spec.minAvailable !== undefined);
  });

  it('ships a config that parses, uses the multi-pod backends and agrees with the config schema', () => {
    const { input: configInput, config } = loadBaseConfig();
    assert.equal((configInput.store as Record<string, unknown>).kind, 'dynamodb');
    assert.ok((configInput.store as Record<string, unknown>).table && (configInput.store as Record<string, unknown>).region, 'store.table and store.region');
    assert.equal((configInput.limits as Record<string, unknown>).backend, 'redis');
    assert.match(String((configInput.redis as Record<string, unknown>).url), /^rediss?:\/\//);
    assert.ok(Object.keys(config.agents).length > 0 && config.agents[config.intent.defaultAgent]);
    assert.equal(config.store.kind, 'dynamodb');
    assert.equal(config.limits.backend, 'redis');
    // A typo anywhere fails the check.
    const typo = checkedConfig.bind(null, mountedConfig(base, deployment).text.replace('drainTimeoutMs:', 'drainTimeoutMillis:'), podEnvironment(base, server));
    assert.throws(typo, /drainTimeoutMillis/);
  });

  it('commits placeholders only in Secrets, and a real-looking value would be caught', () => {
    const secrets = [...base, ...eks].filter((object) => object.kind === 'Secret');
    assert.ok(secrets.length >= 2);
    const problems = secrets.flatMap((secret) => Object.entries(decodedSecret(secret)).map(([key, value]) => secretValueProblem(key, value)).filter(Boolean));
    assert.deepEqual(problems, []);
    for (const [key, value] of [['OPENAI_API_KEY', 'sk-proj-4fG7hJ2kL9mN3pQ8rS5tV1wX6yZ0aB'], ['AWS_ACCESS_KEY_ID', 'AKIAIOSFODNN7EXAMPLX'], ['REDIS_URL', 'rediss://:s3cretToken@cache.example:6379'], ['TOKEN', 'a9F3kQ7zL2mX8vB4nR6tY1wE5uI0oP3'], ['OPENAI_API_KEY', 'hello']]) {
      assert.ok(secretValueProblem(key!, value!), `${key}=${value} should be flagged`);
    }
    assert.match(readFileSync(join(eksDirectory, '.gitignore'), 'utf8'), /^secrets\.env$/m, 'the overlay\'s real secrets file is git-ignored');
  });

  it('the EKS overlay puts everything in its namespace, pulls from ECR and gives the pods an IAM role', () => {
    const namespace = only<KubernetesObject>(eks, 'Namespace').metadata?.name;
    assert.ok(namespace);
    for (const object of eks.filter((candidate) => candidate.kind !== 'Namespace')) assert.equal(object.metadata?.namespace, namespace, `${object.kind} namespace`);
    const eksDeployment = only<Deployment>(eks, 'Deployment');
    assert.match(eksDeployment.spec.template.spec.containers[0]!.image ?? '', /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\/switchboard:[\w.-]+$/);
    const account = named(eks, 'ServiceAccount', eksDeployment.spec.template.spec.serviceAccountName ?? '');
    assert.match(account.metadata?.annotations?.['eks.amazonaws.com/role-arn'] ?? '', /^arn:aws:iam::\d{12}:role\/[\w+=,.@-]+$/);
    assert.equal(only<KubernetesObject>(eks, 'Namespace').metadata?.labels?.['pod-security.kubernetes.io/enforce'], 'restricted');
    const secret = only<KubernetesObject>(eks, 'Secret');
    const env = podEnvironment(eks, eksDeployment.spec.template.spec.containers[0]!);
    assert.deepEqual(Object.keys(decodedSecret(secret)).sort(), Object.keys(decodedSecret(only(base, 'Secret'))).sort(), 'the overlay replaces every secret the base names');
    checkedConfig(mountedConfig(eks, eksDeployment).text, env);
  });

  it('has a Prometheus Adapter rule that serves switchboard_inflight_requests as a pods metric', () => {
    const values = parseYaml(readFileSync(join(kubernetesDirectory, 'prometheus-adapter/values.yaml'), 'utf8')) as {
      rules: { custom: { seriesQuery: string; resources: { overrides?: Record<string, { resource: string }>; template?: string }; name?: { matches?: string; as?: string }; metricsQuery: string }[] };
    };
    const rule = values.rules.custom.find((candidate) => candidate.seriesQuery.includes(inflightMetric));
    assert.ok(rule, `no rule reads ${inflightMetric}`);
    assert.equal(rule.resources.overrides?.pod?.resource, 'pod');
    assert.equal(rule.resources.overrides?.namespace?.resource, 'namespace');
    assert.match(rule.seriesQuery, /pod!=""/);
    const exposed = rule.name?.as ?? inflightMetric;
    assert.ok(!rule.name?.matches || new RegExp(rule.name.matches).test(inflightMetric));
    const autoscaler = only<Autoscaler>(base, 'HorizontalPodAutoscaler');
    assert.equal(autoscaler.spec.metrics.find((metric) => metric.type === 'Pods')?.pods?.metric.name, exposed, 'the HPA asks for the name the adapter exposes');
    for (const part of ['<<.Series>>', '<<.LabelMatchers>>', '<<.GroupBy>>']) assert.ok(rule.metricsQuery.includes(part), part);
    assert.doesNotMatch(rule.metricsQuery, /\brate\(/, 'a gauge is read as is');
    // Prometheus finds the pods by their annotations, on the port the server listens on.
    const annotations = pod.metadata.annotations ?? {};
    assert.equal(annotations['prometheus.io/scrape'], 'true');
    assert.equal(Number(annotations['prometheus.io/port']), containerPort(server, 'http'));
    assert.equal(annotations['prometheus.io/path'], '/metrics');
  });
});
