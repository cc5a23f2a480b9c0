/** Reading and writing DynamoDB attribute values by hand: the few shapes the store uses, without a marshalling library. */

import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export type Item = Record<string, AttributeValue>;

export const text = (value: string): AttributeValue => ({ S: value });
export const number = (value: number): AttributeValue => ({ N: String(value) });

export function readText(item: Item, name: string): string | undefined {
  const value = item[name];
  return value !== undefined && 'S' in value && typeof value.S === 'string' ? value.S : undefined;
}

export function readNumber(item: Item, name: string): number | undefined {
  const value = item[name];
  return value !== undefined && 'N' in value && typeof value.N === 'string' ? Number(value.N) : undefined;
}

export function requireText(item: Item, name: string): string {
  const value = readText(item, name);
  if (value === undefined) throw new Error(`DynamoDB item ${describeKey(item)} has no string attribute "${name}"`);
  return value;
}

export function requireNumber(item: Item, name: string): number {
  const value = readNumber(item, name);
  if (value === undefined || Number.isNaN(value)) throw new Error(`DynamoDB item ${describeKey(item)} has no number attribute "${name}"`);
  return value;
}

export function textMap(record: Record<string, string>): AttributeValue {
  const map: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(record)) map[name] = { S: value };
  return { M: map };
}

export function readTextMap(item: Item, name: string): Record<string, string> {
  const value = item[name];
  const record: Record<string, string> = {};
  if (value === undefined || !('M' in value) || value.M === undefined) return record;
  for (const [key, entry] of Object.entries(value.M)) if ('S' in entry && typeof entry.S === 'string') record[key] = entry.S;
  return record;
}

function describeKey(item: Item): string {
  return `${readText(item, 'pk') ?? '?'}/${readText(item, 'sk') ?? '?'}`;
}
