import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { messageWords } from '../../src/lab/message-words.js';
import { schemaValue } from '../../src/lab/schema-value.js';
import { schemaErrors } from './json-schema-validator.js';

const message = 'Where is my order 48213? Ship it to Jane Doe in New York, and email jane@example.org about the 2 blue shirts';
const source = { words: messageWords(message), seed: 7 };

function valid(schema: object, value: unknown): void {
  const errors = schemaErrors(schema, value);
  assert.equal(errors, undefined, `${JSON.stringify(value)} against ${JSON.stringify(schema)}: ${errors}`);
}

test('values come from the message where they fit: ids from number tokens, names from proper nouns, enums from mentions', () => {
  const schema = {
    type: 'object',
    properties: {
      order_id: { type: 'string', description: 'The order number' },
      customerName: { type: 'string' },
      city: { type: 'string' },
      colour: { type: 'string', enum: ['red', 'blue', 'green'] },
      quantity: { type: 'integer', minimum: 1 },
      email: { type: 'string', format: 'email' },
      express: { type: 'boolean' },
      query: { type: 'string' },
    },
    required: ['order_id', 'customerName', 'colour', 'quantity', 'email', 'express', 'query'],
    additionalProperties: false,
  };
  const value = schemaValue(schema, source) as Record<string, unknown>;
  valid(schema, value);
  assert.equal(value.order_id, '48213');
  assert.equal(value.customerName, 'Jane Doe', 'the first capitalised run that does not open a sentence');
  assert.equal(value.colour, 'blue', 'the enum value the message mentions');
  assert.equal(value.quantity, 48213, 'the first number the message holds');
  assert.equal(value.email, 'jane@example.org');
  assert.equal(value.express, false);
  assert.equal(value.query, message);
  assert.equal(value.city, undefined, 'an optional property the message does not speak of is left out');
});

test('an optional property is filled when the message names it, and an integer id takes the number', () => {
  const schema = { type: 'object', properties: { order_id: { type: 'integer' }, shirts: { type: 'array', items: { type: 'string' } }, note: { type: 'string' } } };
  const value = schemaValue(schema, source) as Record<string, unknown>;
  valid(schema, value);
  assert.deepEqual(Object.keys(value).sort(), ['order_id', 'shirts']);
  assert.equal(value.order_id, 48213);
});

test('the same schema, message and seed give the same value; another seed changes only what the message cannot supply', () => {
  const schema = { type: 'object', properties: { id: { type: 'string', format: 'uuid' }, code: { type: 'string', pattern: '^[A-Z]{3}-\\d{3}$' } }, required: ['id', 'code'] };
  const first = schemaValue(schema, source);
  assert.deepEqual(schemaValue(schema, source), first);
  const other = schemaValue(schema, { ...source, seed: 8 }) as Record<string, string>;
  valid(schema, first as object);
  valid(schema, other);
  assert.notEqual(other.id, (first as Record<string, string>).id);
});

// Schemas as tools and structured outputs write them: every one must be satisfied.
const corpus: object[] = [
  { type: 'object', properties: {} },
  { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['city', 'unit'], additionalProperties: false },
  { type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string', pattern: '^SKU-[0-9]{4}$' }, qty: { type: 'integer', minimum: 1, maximum: 10 } }, required: ['sku', 'qty'] }, minItems: 2 } }, required: ['items'] },
  { type: 'object', properties: { when: { type: 'string', format: 'date-time' }, day: { type: 'string', format: 'date' }, at: { type: 'string', format: 'time' }, site: { type: 'string', format: 'uri' }, host: { type: 'string', format: 'hostname' }, ip: { type: 'string', format: 'ipv4' }, ip6: { type: 'string', format: 'ipv6' }, span: { type: 'string', format: 'duration' } }, required: ['when', 'day', 'at', 'site', 'host', 'ip', 'ip6', 'span'] },
  { type: 'object', properties: { price: { type: 'number', exclusiveMinimum: 0, maximum: 0.5 }, step: { type: 'integer', minimum: 7, multipleOf: 5 }, half: { type: 'number', multipleOf: 0.25, minimum: 1.1, maximum: 1.4 }, big: { type: 'integer', minimum: 100000 } }, required: ['price', 'step', 'half', 'big'] },
  { type: 'object', properties: { tag: { type: 'string', minLength: 60, maxLength: 70 }, short: { type: 'string', maxLength: 3 } }, required: ['tag', 'short'] },
  { type: 'object', properties: { names: { type: 'array', items: { type: 'string' }, minItems: 3, uniqueItems: true }, ids: { type: 'array', items: { type: 'integer' }, minItems: 3, uniqueItems: true }, days: { type: 'array', items: { type: 'string', format: 'date' }, minItems: 2, uniqueItems: true } }, required: ['names', 'ids', 'days'] },
  { type: 'object', properties: { kind: { const: 'refund' }, reason: { anyOf: [{ type: 'null' }, { type: 'string', minLength: 3 }] }, amount: { oneOf: [{ type: 'integer', minimum: 5 }, { type: 'string', pattern: '^x$' }] } }, required: ['kind', 'reason', 'amount'] },
  { type: 'object', allOf: [{ properties: { a: { type: 'string' } }, required: ['a'] }, { properties: { b: { type: 'integer', maximum: -3 } }, required: ['b'] }] },
  { $defs: { address: { type: 'object', properties: { street: { type: 'string' }, zip: { type: 'string', pattern: '^\\d{5}$' } }, required: ['street', 'zip'] } }, type: 'object', properties: { from: { $ref: '#/$defs/address' }, to: { $ref: '#/$defs/address' } }, required: ['from', 'to'] },
  { definitions: { leaf: { type: ['string', 'null'] } }, type: 'object', properties: { value: { $ref: '#/definitions/leaf' } }, required: ['value'] },
  { type: 'object', properties: { point: { type: 'array', prefixItems: [{ type: 'number' }, { type: 'number' }], items: false } }, required: ['point'] },
  { type: 'object', properties: { pair: { type: 'array', items: [{ type: 'string' }, { type: 'boolean' }], additionalItems: false } }, required: ['pair'] },
  { type: 'object', properties: { card: { type: 'string' }, cvc: { type: 'string', minLength: 3, maxLength: 4 } }, dependentRequired: { card: ['cvc'] }, required: ['card'] },
  { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } }, minProperties: 2 },
  { type: 'object', patternProperties: { '^x_': { type: 'integer' } }, required: ['x_count'], additionalProperties: false },
  { type: 'object', properties: { meta: { type: 'object', additionalProperties: { type: 'string' }, minProperties: 1 } }, required: ['meta'] },
  { type: 'object', properties: { list: { type: 'array', contains: { type: 'string', const: 'must' }, items: { type: 'string' } } }, required: ['list'] },
  { type: 'object', properties: { old: { type: 'number', minimum: 10, exclusiveMinimum: true, maximum: 11, exclusiveMaximum: true } }, required: ['old'] },
  { type: 'array', items: { type: 'string' }, maxItems: 0 },
  { enum: [3, 'x', null] },
];

test('every schema of the corpus is satisfied (ajv with formats)', () => {
  for (const schema of corpus) {
    const value = schemaValue(schema, source);
    if ('old' in ((schema as { properties?: object }).properties ?? {})) {
      // Draft-04 boolean exclusive bounds: ajv's 2020 dialect rejects them, so check the number by hand.
      const old = (value as { old: number }).old;
      assert.ok(old > 10 && old < 11, `old ${old}`);
      continue;
    }
    valid(schema, value);
  }
});

// Satisfiable schemas of the covered keywords, nested a few levels deep.
const identifier = fc.stringMatching(/^[a-z][a-z_]{0,8}$/);
const { schema: arbitrarySchema } = fc.letrec<{ schema: object; leaf: object; object: object; array: object; choice: object }>((tie) => ({
  schema: fc.oneof({ maxDepth: 3, depthIdentifier: 'schema' }, tie('leaf'), tie('leaf'), tie('object'), tie('array'), tie('choice')),
  leaf: fc.oneof(
    fc.tuple(fc.nat(4), fc.nat(30)).map(([min, extra]) => ({ type: 'string', minLength: min, maxLength: min + extra })),
    fc.constantFrom('date', 'date-time', 'email', 'uri', 'uuid', 'ipv4', 'hostname').map((format) => ({ type: 'string', format })),
    fc.constantFrom('^[A-Z]{2}-\\d{4}$', '^[a-z]+$', '^\\d{5}$', 'ab+c', '^(yes|no)$').map((pattern) => ({ type: 'string', pattern })),
    fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 5, max: 100 }), fc.constantFrom(undefined, 1, 2, 5), fc.boolean()).map(([low, span, multipleOf, exclusive]) =>
      exclusive ? { type: 'integer', exclusiveMinimum: low, exclusiveMaximum: low + span + 1, ...(multipleOf ? { multipleOf } : {}) } : { type: 'integer', minimum: low, maximum: low + span, ...(multipleOf ? { multipleOf } : {}) },
    ),
    fc.tuple(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 0.01, max: 1e3, noNaN: true }), fc.boolean()).map(([low, span, exclusive]) =>
      exclusive ? { type: 'number', exclusiveMinimum: low, exclusiveMaximum: low + span } : { type: 'number', minimum: low, maximum: low + span },
    ),
    fc.constant({ type: 'number', multipleOf: 0.5, minimum: 0.1 }),
    fc.constant({ type: 'boolean' }),
    fc.constant({ type: 'null' }),
    fc.uniqueArray(fc.oneof(fc.string(), fc.integer(), fc.boolean()), { minLength: 1, maxLength: 4, selector: (value) => JSON.stringify(value) }).map((values) => ({ enum: values })),
    fc.jsonValue().map((value) => ({ const: value })),
  ),
  object: fc.tuple(fc.dictionary(identifier, tie('schema'), { maxKeys: 4 }), fc.boolean(), fc.boolean()).map(([properties, requireAll, closed]) => ({
    type: 'object',
    properties,
    required: requireAll ? Object.keys(properties) : Object.keys(properties).slice(0, 1),
    ...(closed ? { additionalProperties: false } : {}),
  })),
  array: fc.tuple(tie('schema'), fc.nat(3), fc.nat(2)).map(([items, min, extra]) => ({ type: 'array', items, minItems: min, maxItems: min + extra })),
  choice: fc.array(tie('schema'), { minLength: 1, maxLength: 3 }).map((branches) => ({ anyOf: branches })),
}));

test('property: any schema of the covered keywords is satisfied, for any message', () => {
  const messages = fc.oneof(fc.constant(message), fc.constant(''), fc.constant('cancel order 7 please'), fc.string({ maxLength: 80 }));
  fc.assert(
    fc.property(arbitrarySchema, messages, fc.nat(), (schema, text, seed) => {
      const value = schemaValue(schema, { words: messageWords(text), seed });
      const errors = schemaErrors(schema, value);
      assert.equal(errors, undefined, `${JSON.stringify(value)} against ${JSON.stringify(schema)} for ${JSON.stringify(text)}: ${errors}`);
    }),
    { numRuns: 400, seed: 20250101 },
  );
});
