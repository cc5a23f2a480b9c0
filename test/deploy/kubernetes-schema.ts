/** Validates Kubernetes objects offline against the API's OpenAPI schemas (kubernetes-models), strictly: unknown fields fail too. */

import { createRequire } from 'node:module';

/**
 * The schemas come from kubernetes-models 4.3.x (Kubernetes 1.27 API), whose models register raw
 * JSON schemas with @kubernetes-models/validate. That package checks types, enums, required
 * fields and formats, but an OpenAPI schema has no `additionalProperties: false`, so a typo'd
 * field would pass, as it does with `kubectl apply --validate=false`. The strict walk below
 * closes that gap the way kubeconform's `-strict` does: every key of an object must be a
 * property of its schema.
 */

export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

interface JsonSchema {
  $ref?: string;
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

// Narrow adapter seam: kubernetes-models ships CommonJS with loose typings for this use.
interface ModelInstance {
  validate(): void;
}
type ModelClass = new (data: object) => ModelInstance;
interface ValidateModule {
  register: (id: string, schema: JsonSchema) => void;
}

const modelGroups: Record<string, string> = {
  v1: 'kubernetes-models/v1',
  'apps/v1': 'kubernetes-models/apps/v1',
  'autoscaling/v2': 'kubernetes-models/autoscaling/v2',
  'policy/v1': 'kubernetes-models/policy/v1',
};

const require = createRequire(import.meta.url);
// Every schema that a model registers is recorded here as well, keyed by its id.
const schemas = new Map<string, JsonSchema>();
let recording = false;

function startRecording(): void {
  if (recording) return;
  // Resolved from kubernetes-models itself so that it is the very copy its schemas register with.
  const fromModels = createRequire(require.resolve('kubernetes-models/v1'));
  const validateModule = fromModels('@kubernetes-models/validate') as ValidateModule;
  const register = validateModule.register;
  validateModule.register = (id, schema) => {
    schemas.set(id, schema);
    register(id, schema);
  };
  recording = true;
}

function modelClass(apiVersion: string, kind: string): ModelClass | undefined {
  const group = modelGroups[apiVersion];
  if (!group) return undefined;
  const exported = (require(group) as Record<string, unknown>)[kind];
  return typeof exported === 'function' ? (exported as ModelClass) : undefined;
}

/** The schema id that a model class validates against, as kubernetes-models names it. */
function schemaId(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['core', apiVersion];
  return `io.k8s.api.${group === 'core' ? 'core' : group!.replace(/\.k8s\.io$/, '')}.${version}.${kind}`;
}

function resolve(schema: JsonSchema): JsonSchema | undefined {
  let current: JsonSchema | undefined = schema;
  for (let depth = 0; current && depth < 8; depth++) {
    if (current.$ref) {
      current = schemas.get(current.$ref.replace(/#$/, ''));
      continue;
    }
    // kubernetes-models writes an optional object as oneOf [$ref, null].
    const branches: JsonSchema[] = current.oneOf?.filter((branch) => branch.$ref !== undefined) ?? [];
    if (branches.length === 1) {
      current = branches[0];
      continue;
    }
    return current;
  }
  return current;
}

function unknownFields(value: unknown, schema: JsonSchema | undefined, path: string, problems: string[]): void {
  const resolved = schema && resolve(schema);
  if (!resolved || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    if (resolved.items) value.forEach((item, index) => unknownFields(item, resolved.items, `${path}/${index}`, problems));
    return;
  }
  if (resolved['x-kubernetes-preserve-unknown-fields']) return;
  for (const [key, item] of Object.entries(value)) {
    const property = resolved.properties?.[key];
    if (property) unknownFields(item, property, `${path}/${key}`, problems);
    else if (typeof resolved.additionalProperties === 'object') unknownFields(item, resolved.additionalProperties, `${path}/${key}`, problems);
    else if (resolved.properties && resolved.additionalProperties === undefined) problems.push(`${path}/${key}: unknown field "${key}"`);
  }
}

/** Every problem of one object against its kind's schema; empty when it is valid. */
export function validateKubernetesObject(object: unknown): string[] {
  if (object === null || typeof object !== 'object' || Array.isArray(object)) return ['not an object'];
  const { apiVersion, kind } = object as Partial<KubernetesObject>;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return ['apiVersion and kind must be strings'];
  const Model = modelClass(apiVersion, kind);
  if (!Model) return [`no schema for ${apiVersion} ${kind} (known groups: ${Object.keys(modelGroups).join(', ')})`];
  startRecording();
  const problems: string[] = [];
  try {
    new Model(object).validate();
  } catch (error) {
    problems.push(...(error as Error).message.split(', '));
  }
  const root = schemas.get(schemaId(apiVersion, kind));
  if (!root) throw new Error(`the schema of ${apiVersion} ${kind} was not recorded: has the layout of kubernetes-models changed?`);
  unknownFields(object, root, 'data', problems);
  return problems;
}
