/** Small JSON Schema helpers of the simulator's value builder: the schema shape, string lengths, decimals, merging allOf parts. */

export type Schema = Record<string, unknown>;

export function isSchemaObject(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function codePointLength(value: string): number {
  let length = 0;
  for (const _ of value) length++;
  return length;
}

export function fitLength(value: string, schema: Schema): string {
  let points = Array.from(value);
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
  if (points.length > max) points = points.slice(0, max);
  while (points.length < min) points.push('x');
  return points.join('');
}

export function decimals(value: number): number {
  const text = String(value);
  const exponent = /e-(\d+)$/.exec(text);
  if (exponent) return Number(exponent[1]);
  const dot = text.indexOf('.');
  return dot === -1 ? 0 : text.length - dot - 1;
}

/** Merges allOf parts and a chosen anyOf/oneOf branch into one schema: properties joined, required united, bounds tightened. */
export function mergeSchemas(parts: readonly Schema[]): Schema {
  const merged: Schema = {};
  for (const part of parts) {
    for (const [key, value] of Object.entries(part)) {
      const existing = merged[key];
      if (existing === undefined) merged[key] = value;
      else if (key === 'properties' && isSchemaObject(existing) && isSchemaObject(value)) {
        const properties: Schema = { ...existing };
        for (const [name, schema] of Object.entries(value)) properties[name] = name in properties ? { allOf: [properties[name], schema] } : schema;
        merged[key] = properties;
      } else if (key === 'required' && Array.isArray(existing) && Array.isArray(value)) merged[key] = [...new Set([...existing, ...value])];
      else if ((key === 'minimum' || key === 'minLength' || key === 'minItems' || key === 'minProperties') && typeof existing === 'number' && typeof value === 'number') merged[key] = Math.max(existing, value);
      else if ((key === 'maximum' || key === 'maxLength' || key === 'maxItems' || key === 'maxProperties') && typeof existing === 'number' && typeof value === 'number') merged[key] = Math.min(existing, value);
    }
  }
  return merged;
}

export function isNullSchema(schema: unknown): boolean {
  return isSchemaObject(schema) && (schema.type === 'null' || (schema.const === null && schema.type === undefined));
}
