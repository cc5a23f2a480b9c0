/** Renders a kustomization the way `kubectl kustomize` does, for the few features Switchboard's manifests use, so tests run without the binary. */

import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubernetesObject } from './kubernetes-schema.js';

/**
 * Supported: `resources` (files and directories), `namespace`, `images`, `patches` with a
 * `path` (strategic merge of maps), and `configMapGenerator` / `secretGenerator` with `files`,
 * `envs` and `literals` and any `behavior`. Anything else fails loudly rather than render
 * differently from kustomize. One difference on purpose: generated names keep no content-hash
 * suffix; kustomize adds one and rewrites every reference, so references resolve either way.
 */

export interface RenderOptions {
  /** Reads a file of the kustomization; lets a test feed an example file for a git-ignored one. */
  readFile?: (path: string) => string;
}

interface Generator {
  name: string;
  behavior?: 'create' | 'replace' | 'merge';
  type?: string;
  files?: string[];
  envs?: string[];
  literals?: string[];
}

interface Kustomization {
  resources?: string[];
  namespace?: string;
  images?: { name: string; newName?: string; newTag?: string; digest?: string }[];
  patches?: { path?: string; target?: unknown; patch?: string }[];
  configMapGenerator?: Generator[];
  secretGenerator?: Generator[];
}

const supportedFields = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'images', 'patches', 'configMapGenerator', 'secretGenerator']);
const clusterScopedKinds = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PriorityClass', 'StorageClass']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function parseYamlDocuments(text: string, source: string): unknown[] {
  return parseAllDocuments(text).map((document, index) => {
    if (document.errors.length > 0) throw new Error(`${source}: YAML document ${index + 1}: ${document.errors[0]!.message}`);
    return document.toJS() as unknown;
  }).filter((document) => document !== null);
}

/** Parses an env file as kustomize does: KEY=VALUE lines, `#` comments, no quote handling. */
export function parseEnvFile(text: string, source: string): Record<string, string> {
  const values: Record<string, string> = {};
  text.split('\n').forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) return;
    const equals = line.indexOf('=');
    const key = equals > 0 ? line.slice(0, equals) : '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`${source}:${index + 1}: expected KEY=VALUE`);
    values[key] = line.slice(equals + 1);
  });
  return values;
}

function sameObject(a: KubernetesObject, kind: string, name: string): boolean {
  return a.kind === kind && a.metadata?.name === name;
}

function generate(kind: 'ConfigMap' | 'Secret', generator: Generator, directory: string, read: (path: string) => string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const entry of generator.files ?? []) {
    const [key, path] = entry.includes('=') ? entry.split('=', 2) as [string, string] : [basename(entry), entry];
    values[key] = read(join(directory, path));
  }
  for (const path of generator.envs ?? []) Object.assign(values, parseEnvFile(read(join(directory, path)), join(directory, path)));
  for (const literal of generator.literals ?? []) {
    const equals = literal.indexOf('=');
    if (equals <= 0) throw new Error(`${kind} generator ${generator.name}: literal "${literal}" is not KEY=VALUE`);
    values[literal.slice(0, equals)] = literal.slice(equals + 1);
  }
  return values;
}

function applyGenerator(objects: KubernetesObject[], kind: 'ConfigMap' | 'Secret', generator: Generator, directory: string, read: (path: string) => string): void {
  const values = generate(kind, generator, directory, read);
  const encoded = kind === 'Secret' ? Object.fromEntries(Object.entries(values).map(([key, value]) => [key, Buffer.from(value).toString('base64')])) : values;
  const existing = objects.find((object) => sameObject(object, kind, generator.name));
  const behavior = generator.behavior ?? 'create';
  if (behavior === 'create') {
    if (existing) throw new Error(`${kind} ${generator.name} is generated twice; use behavior: replace or merge`);
    const object: KubernetesObject = { apiVersion: 'v1', kind, metadata: { name: generator.name }, data: encoded };
    if (kind === 'Secret') object.type = generator.type ?? 'Opaque';
    objects.push(object);
    return;
  }
  if (!existing) throw new Error(`${kind} ${generator.name}: behavior ${behavior} needs the same generator in a base`);
  existing.data = behavior === 'merge' ? { ...(existing.data as Record<string, string>), ...encoded } : encoded;
}

/** Strategic merge restricted to maps: a list in a patch needs merge keys this renderer does not know. */
function mergePatch(target: Record<string, unknown>, patch: Record<string, unknown>, path: string): void {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete target[key];
    else if (Array.isArray(value)) throw new Error(`patch ${path}.${key}: lists are not supported by the test renderer`);
    else if (isPlainObject(value) && isPlainObject(target[key])) mergePatch(target[key], value, `${path}.${key}`);
    else target[key] = structuredClone(value);
  }
}

function setImage(image: string, rule: NonNullable<Kustomization['images']>[number]): string {
  const match = /^([^@:]+(?::\d+\/[^@:]+)?)(?::([^@]+))?(?:@(.+))?$/.exec(image);
  if (!match || match[1] !== rule.name) return image;
  const name = rule.newName ?? rule.name;
  if (rule.digest) return `${name}@${rule.digest}`;
  const tag = rule.newTag ?? match[2];
  return tag ? `${name}:${tag}` : name;
}

function podContainers(object: KubernetesObject): Record<string, unknown>[] {
  const spec = (object.spec as { template?: { spec?: { containers?: Record<string, unknown>[]; initContainers?: Record<string, unknown>[] } } } | undefined)?.template?.spec;
  return [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
}

export function renderKustomization(directory: string, options: RenderOptions = {}): KubernetesObject[] {
  const read = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const file = join(directory, 'kustomization.yaml');
  const [kustomization] = parseYamlDocuments(read(file), file) as [Kustomization & Record<string, unknown>];
  if (!isPlainObject(kustomization)) throw new Error(`${file}: not a kustomization`);
  const unsupported = Object.keys(kustomization).filter((field) => !supportedFields.has(field));
  if (unsupported.length > 0) throw new Error(`${file}: fields the test renderer does not implement: ${unsupported.join(', ')}`);

  const objects: KubernetesObject[] = [];
  for (const entry of kustomization.resources ?? []) {
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) objects.push(...renderKustomization(path, options));
    else objects.push(...(parseYamlDocuments(read(path), path) as KubernetesObject[]));
  }
  for (const generator of kustomization.configMapGenerator ?? []) applyGenerator(objects, 'ConfigMap', generator, directory, read);
  for (const generator of kustomization.secretGenerator ?? []) applyGenerator(objects, 'Secret', generator, directory, read);
  for (const patch of kustomization.patches ?? []) {
    if (!patch.path || patch.target || patch.patch) throw new Error(`${file}: only patches with a path (strategic merge) are supported`);
    const patchFile = join(directory, patch.path);
    for (const document of parseYamlDocuments(read(patchFile), patchFile) as KubernetesObject[]) {
      const target = objects.find((object) => sameObject(object, document.kind, document.metadata?.name ?? ''));
      if (!target) throw new Error(`${patchFile}: no ${document.kind} ${document.metadata?.name} to patch`);
      mergePatch(target, document, document.kind);
    }
  }
  for (const rule of kustomization.images ?? []) {
    for (const container of objects.flatMap(podContainers)) {
      if (typeof container.image === 'string') container.image = setImage(container.image, rule);
    }
  }
  if (kustomization.namespace) {
    for (const object of objects) {
      if (!clusterScopedKinds.has(object.kind)) object.metadata = { ...object.metadata, namespace: kustomization.namespace };
    }
  }
  return objects;
}
