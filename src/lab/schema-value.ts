/**
 * Builds a JSON value that satisfies a JSON Schema (the subset tool and response schemas use), drawing strings and
 * numbers from the user's message where they fit, so simulated tool calls carry arguments a real tool can take.
 *
 * Covered: type (and type lists, null last), const, enum (a value the message mentions, else the first), properties,
 * required, additionalProperties, patternProperties, minProperties, dependentRequired, items, prefixItems, tuple
 * items, additionalItems, contains, minItems, maxItems, uniqueItems, minLength, maxLength, pattern, format (date,
 * date-time, time, email, uri, uuid, hostname, ipv4, ipv6, duration), minimum, maximum, exclusive bounds (both
 * drafts), multipleOf, allOf (merged), anyOf and oneOf (the first branch that is not null), local $ref and $defs.
 * Not covered: if/then/else, not, propertyNames, dependentSchemas, unevaluated*, $dynamicRef, remote $ref.
 */

import randexpModule from 'randexp';
import { identifierWords, isStopword, wordKey, type MessageWords } from './message-words.js';
import { mix32, SeededRandom } from '../stats/seeded-random.js';
import { codePointLength, decimals, fitLength, isNullSchema, isSchemaObject, mergeSchemas, type Schema } from './schema-keywords.js';
import { COUNT_WORDS, FIXED_FORMATS, FORMAT_IN_MESSAGE, ID_WORDS, NAME_WORDS, QUERY_WORDS } from './schema-value-vocabulary.js';

/** The words of a property name as matching keys: `cityNames` → city, name. */
function nameKeys(name: string): string[] {
  return identifierWords(name).map(wordKey);
}

// randexp is CommonJS: Node and esbuild hand over module.exports (the class), while its typings describe `exports.default`.
type RandExpClass = (typeof import('randexp'))['default'];
const RandExp = ((randexpModule as unknown as { default?: RandExpClass }).default ?? randexpModule) as unknown as RandExpClass;

const MAX_DEPTH = 24;
const FALLBACK_WORD = 'simulated';

export interface SchemaValueSource {
  readonly words: MessageWords;
  /** Seeds what the message cannot supply (identifiers, uuids, strings for patterns). */
  readonly seed: number;
}

/** A value that satisfies `schema`, or as close as the covered keywords allow. */
export function schemaValue(schema: unknown, source: SchemaValueSource): unknown {
  return new SchemaValueBuilder(schema, source).value(schema, '', 0, 0);
}

class SchemaValueBuilder {
  private readonly random: SeededRandom;

  constructor(
    private readonly root: unknown,
    private readonly source: SchemaValueSource,
  ) {
    this.random = new SeededRandom(mix32(source.seed, 0x5c4e));
  }

  /** `name` is the property the value is for ('' for roots and items); `variant` tells apart the items of one array. */
  value(input: unknown, name: string, depth: number, variant: number): unknown {
    if (input === true || input === undefined) return this.text(name, variant, {});
    if (!isSchemaObject(input)) return null;
    const schema = this.flatten(input, depth);
    if ('const' in schema) return schema.const;
    if (Array.isArray(schema.enum) && schema.enum.length > 0) return this.enumValue(schema.enum, variant);
    if (depth > MAX_DEPTH) return null;
    switch (this.typeOf(schema)) {
      case 'object':
        return this.object(schema, depth, variant);
      case 'array':
        return this.array(schema, name, depth);
      case 'integer':
        return this.number(schema, name, true, variant);
      case 'number':
        return this.number(schema, name, false, variant);
      case 'boolean':
        return variant % 2 === 1;
      case 'null':
        return null;
      default:
        return this.string(schema, name, variant);
    }
  }

  /** Resolves $ref, allOf and the first usable anyOf/oneOf branch into one schema. */
  private flatten(schema: Schema, depth: number): Schema {
    let current = schema;
    for (let round = 0; round < MAX_DEPTH; round++) {
      if (typeof current.$ref === 'string') {
        const { $ref, ...siblings } = current;
        const target = this.resolve($ref);
        current = Object.keys(siblings).length === 0 ? target : mergeSchemas([siblings, target]);
        continue;
      }
      if (Array.isArray(current.allOf)) {
        const { allOf, ...rest } = current;
        current = mergeSchemas([rest, ...allOf.filter(isSchemaObject).map((part) => this.flatten(part, depth + 1))]);
        continue;
      }
      const branches = Array.isArray(current.anyOf) ? current.anyOf : Array.isArray(current.oneOf) ? current.oneOf : undefined;
      if (branches !== undefined) {
        const { anyOf: _anyOf, oneOf: _oneOf, ...rest } = current;
        const branch = branches.find((candidate) => isSchemaObject(candidate) && !isNullSchema(candidate)) ?? branches[0];
        current = isSchemaObject(branch) ? mergeSchemas([rest, branch]) : rest;
        continue;
      }
      break;
    }
    return current;
  }

  private resolve(reference: string): Schema {
    if (!reference.startsWith('#')) return {};
    let target: unknown = this.root;
    const pointer = decodeURIComponent(reference.slice(1));
    if (pointer !== '') {
      for (const raw of pointer.split('/').slice(1)) {
        const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
        target = isSchemaObject(target) || Array.isArray(target) ? (target as Record<string, unknown>)[key] : undefined;
      }
    }
    return isSchemaObject(target) ? target : {};
  }

  private typeOf(schema: Schema): string {
    const type = schema.type;
    if (typeof type === 'string') return type;
    if (Array.isArray(type) && type.length > 0) return (type.find((entry) => entry !== 'null') ?? type[0]) as string;
    if (isSchemaObject(schema.properties) || Array.isArray(schema.required) || schema.additionalProperties !== undefined) return 'object';
    if (schema.items !== undefined || schema.prefixItems !== undefined) return 'array';
    if (typeof schema.minimum === 'number' || typeof schema.maximum === 'number' || typeof schema.multipleOf === 'number') return 'number';
    return 'string';
  }

  /** The value the message mentions, else the first (the variant-th, to keep array items apart). */
  private enumValue(values: readonly unknown[], variant: number): unknown {
    if (variant === 0) {
      const { keys } = this.source.words;
      for (const value of values) {
        if (typeof value === 'string' && value !== '' && keys.has(wordKey(value))) return value;
      }
      // Then a value whose words the message uses ("order-support" for "where is my order"): what makes an
      // LLM judge that must name an agent answerable from the message alone.
      for (const value of values) {
        if (typeof value === 'string' && nameKeys(value).some((word) => word.length >= 3 && !isStopword(word) && keys.has(word))) return value;
      }
    }
    return values[variant % values.length];
  }

  /** Whether the message speaks of an optional property: a word of its name, or a value of its enum. */
  private mentions(name: string, schema: unknown): boolean {
    const words = nameKeys(name);
    const { keys, numbers } = this.source.words;
    for (const word of words) {
      if (ID_WORDS.has(word)) continue;
      if (word.length >= 3 && !isStopword(word) && keys.has(word)) return true;
    }
    if (words.length === 1 && ID_WORDS.has(words[0]!) && numbers.length > 0) return true;
    if (isSchemaObject(schema) && Array.isArray(schema.enum)) return schema.enum.some((value) => typeof value === 'string' && keys.has(wordKey(value)));
    return false;
  }

  private object(schema: Schema, depth: number, variant: number): Record<string, unknown> {
    const properties = isSchemaObject(schema.properties) ? schema.properties : {};
    const required = Array.isArray(schema.required) ? schema.required.filter((key): key is string => typeof key === 'string') : [];
    const dependentRequired = isSchemaObject(schema.dependentRequired) ? schema.dependentRequired : {};
    const result: Record<string, unknown> = {};
    const add = (key: string): void => {
      if (Object.hasOwn(result, key)) return;
      const propertySchema = Object.hasOwn(properties, key) ? properties[key] : this.additionalSchema(schema, key);
      result[key] = this.value(propertySchema, key, depth + 1, variant);
      const dependents = dependentRequired[key];
      if (Array.isArray(dependents)) for (const dependent of dependents) if (typeof dependent === 'string') add(dependent);
    };
    for (const key of required) add(key);
    for (const key of Object.keys(properties)) if (this.mentions(key, properties[key])) add(key);
    const minProperties = typeof schema.minProperties === 'number' ? schema.minProperties : 0;
    for (const key of Object.keys(properties)) {
      if (Object.keys(result).length >= minProperties) break;
      add(key);
    }
    for (let extra = 1; Object.keys(result).length < minProperties && schema.additionalProperties !== false; extra++) add(`field_${extra}`);
    return result;
  }

  private additionalSchema(schema: Schema, key: string): unknown {
    if (isSchemaObject(schema.patternProperties)) {
      for (const [pattern, propertySchema] of Object.entries(schema.patternProperties)) {
        if (safeRegExp(pattern)?.test(key) === true) return propertySchema;
      }
    }
    return isSchemaObject(schema.additionalProperties) ? schema.additionalProperties : true;
  }

  private array(schema: Schema, name: string, depth: number): unknown[] {
    const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : Array.isArray(schema.items) ? schema.items : [];
    const rest = Array.isArray(schema.prefixItems) ? schema.items : Array.isArray(schema.items) ? schema.additionalItems : schema.items;
    const minItems = typeof schema.minItems === 'number' ? schema.minItems : 0;
    const maxItems = typeof schema.maxItems === 'number' ? schema.maxItems : Infinity;
    const count = Math.min(maxItems, Math.max(minItems, prefix.length, rest === false ? 0 : 1));
    const items: unknown[] = [];
    for (let index = 0; index < count; index++) {
      const itemSchema = index < prefix.length ? prefix[index] : rest === false ? true : rest;
      items.push(this.value(itemSchema, name, depth + 1, index));
    }
    if (schema.contains !== undefined && prefix.length === 0) {
      const contained = this.value(schema.contains, name, depth + 1, 0);
      if (items.length === 0) items.push(contained);
      else items[0] = contained;
    }
    return items;
  }

  private number(schema: Schema, name: string, integer: boolean, variant: number): number {
    const words = nameKeys(name);
    const { numbers } = this.source.words;
    let value = 1 + variant;
    if (numbers.length > 0 && words.some((word) => COUNT_WORDS.has(word) || ID_WORDS.has(word))) {
      const parsed = numbers.map((token) => Number.parseFloat(token.replace(/[^\d.-]/g, ''))).filter(Number.isFinite);
      // Past the message's numbers, items of one array still differ: counting on from the largest.
      if (parsed.length > 0) value = variant < parsed.length ? parsed[variant]! : Math.max(...parsed) + variant;
    }
    // Draft 4 writes exclusive bounds as booleans beside minimum/maximum; later drafts as numbers of their own.
    let low = -Infinity;
    let lowExclusive = false;
    if (typeof schema.minimum === 'number') [low, lowExclusive] = [schema.minimum, schema.exclusiveMinimum === true];
    if (typeof schema.exclusiveMinimum === 'number' && schema.exclusiveMinimum >= low) [low, lowExclusive] = [schema.exclusiveMinimum, true];
    let high = Infinity;
    let highExclusive = false;
    if (typeof schema.maximum === 'number') [high, highExclusive] = [schema.maximum, schema.exclusiveMaximum === true];
    if (typeof schema.exclusiveMaximum === 'number' && schema.exclusiveMaximum <= high) [high, highExclusive] = [schema.exclusiveMaximum, true];
    const multipleOf = typeof schema.multipleOf === 'number' && schema.multipleOf > 0 && (!integer || Number.isInteger(schema.multipleOf)) ? schema.multipleOf : integer ? 1 : undefined;
    if (multipleOf === undefined) {
      // A continuous range: the value itself if inside, else just inside the bound it crossed.
      if (value < low || (lowExclusive && value <= low)) value = lowExclusive ? low + Math.min(1, (high - low) / 2) : low;
      if (value > high || (highExclusive && value >= high)) value = highExclusive ? high - Math.min(1, (high - low) / 2) : high;
      return value;
    }
    // Multiples k·m inside the bounds: the one nearest the wanted value.
    const places = decimals(multipleOf);
    let lowest = Math.ceil(low / multipleOf - 1e-9);
    if (lowExclusive && lowest * multipleOf <= low) lowest++;
    let highest = Math.floor(high / multipleOf + 1e-9);
    if (highExclusive && highest * multipleOf >= high) highest--;
    const wanted = Math.round(value / multipleOf);
    const factor = Math.min(Math.max(wanted, lowest), highest);
    return Number((factor * multipleOf).toFixed(places));
  }

  private string(schema: Schema, name: string, variant: number): string {
    const format = typeof schema.format === 'string' ? schema.format : undefined;
    if (format !== undefined && (format in FIXED_FORMATS || format === 'uuid')) return this.formatted(format, variant);
    const pattern = typeof schema.pattern === 'string' ? safeRegExp(schema.pattern) : undefined;
    if (pattern === undefined) return this.text(name, variant, schema);
    const fits = (candidate: string): boolean => {
      const length = codePointLength(candidate);
      return pattern.test(candidate) && length >= ((schema.minLength as number | undefined) ?? 0) && length <= ((schema.maxLength as number | undefined) ?? Infinity);
    };
    const { words } = this.source;
    for (const candidate of [this.text(name, variant, {}), ...words.numbers, ...words.properNouns, ...words.content, words.text.trim()]) {
      if (fits(candidate)) return candidate;
    }
    try {
      const generator = new RandExp(schema.pattern as string);
      generator.max = 8;
      generator.randInt = (low: number, high: number) => low + this.random.int(high - low + 1);
      for (let attempt = 0; attempt < 16; attempt++) {
        const candidate = generator.gen();
        if (fits(candidate)) return candidate;
      }
    } catch {
      // A pattern randexp cannot parse (Unicode property escapes, lookbehind): the best effort below.
    }
    return this.text(name, variant, schema);
  }

  private formatted(format: string, variant: number): string {
    const inMessage = FORMAT_IN_MESSAGE[format]?.exec(this.source.words.text);
    if (inMessage && variant === 0) return inMessage[0];
    const two = (value: number): string => String(value).padStart(2, '0');
    // Items of one array differ, so uniqueItems holds.
    switch (format) {
      case 'uuid': {
        const hex = [1, 2, 3, 4].map((lane) => mix32(this.source.seed + variant, lane).toString(16).padStart(8, '0')).join('');
        return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[parseInt(hex[16]!, 16) % 4]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
      }
      case 'date':
        return `2025-01-${two(1 + (variant % 28))}`;
      case 'date-time':
        return `2025-01-${two(1 + (variant % 28))}T12:00:00Z`;
      case 'time':
        return `12:${two(variant % 60)}:00Z`;
      case 'ipv4':
        return `192.0.2.${1 + (variant % 254)}`;
      case 'ipv6':
        return `2001:db8::${(1 + variant).toString(16)}`;
      case 'duration':
        return `P${1 + variant}D`;
      default: {
        const fixed = FIXED_FORMATS[format]!;
        return variant === 0 || !fixed.includes('example') ? fixed : fixed.replace('example', `example${variant + 1}`);
      }
    }
  }

  /** A string for a property: a number-like token for id-like names, the message for query-like ones, a proper noun for names, else the message's words. */
  private text(name: string, variant: number, schema: Schema): string {
    const words = nameKeys(name);
    const last = words.at(-1) ?? '';
    const { numbers, properNouns, content, text } = this.source.words;
    let candidates: readonly string[];
    if (ID_WORDS.has(last)) candidates = numbers.length > 0 ? numbers : [String(10_000 + (mix32(this.source.seed, 7) % 90_000))];
    else if (words.some((word) => QUERY_WORDS.has(word))) candidates = [text.trim()];
    else if (words.some((word) => NAME_WORDS.has(word)) && properNouns.length > 0) candidates = properNouns;
    else candidates = [content.join(' ')];
    let value = candidates[variant] ?? `${candidates[0] ?? ''} ${variant + 1}`;
    if (value.trim() === '') value = variant === 0 ? FALLBACK_WORD : `${FALLBACK_WORD} ${variant + 1}`;
    return fitLength(value, schema);
  }
}

const regExpCache = new Map<string, RegExp | undefined>();

/** JSON Schema patterns are ECMA-262 and unanchored; an invalid one is ignored rather than thrown at the caller. */
function safeRegExp(pattern: string): RegExp | undefined {
  if (regExpCache.has(pattern)) return regExpCache.get(pattern);
  let compiled: RegExp | undefined;
  try {
    compiled = new RegExp(pattern, 'u');
  } catch {
    try {
      compiled = new RegExp(pattern);
    } catch {
      compiled = undefined;
    }
  }
  // Bounded: patterns come from requests.
  if (regExpCache.size >= 256) regExpCache.clear();
  regExpCache.set(pattern, compiled);
  return compiled;
}
