/**
 * A real DynamoDB implementation for tests: dynalite (LevelDB-backed, in memory) on a loopback port.
 *
 * dynalite 4 lacks three operations the store uses (architect/dynalite#151): TransactWriteItems,
 * UpdateTimeToLive and an honest DescribeTimeToLive. This module adds them on top of dynalite's
 * own tables, per-item locks, expression parser and condition evaluator, so that conditions are
 * judged by dynalite exactly as in its single-item writes. A transaction locks every item it
 * names (in a fixed order), checks every condition, and writes all or nothing; like DynamoDB,
 * a Query may observe a transaction half-applied, and the cancellation reasons come back in
 * DynamoDB's wire format (with the old item when ReturnValuesOnConditionCheckFailure is ALL_OLD).
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

// dynalite has no types: these are the narrow shapes of the parts this module touches.
type AttributeValue = Record<string, unknown>;
type Item = Record<string, AttributeValue>;
interface DynaliteError extends Error {
  statusCode?: number;
  body?: { __type: string; message: string };
}
type Callback<T> = (error: DynaliteError | null, value?: T) => void;
interface ItemDb {
  get(key: string, callback: Callback<Item>): void;
  put(key: string, item: Item, callback: Callback<void>): void;
  del(key: string, callback: Callback<void>): void;
  lock(key: string, onLocked: (release: (callback: () => void) => () => void) => void): void;
}
interface Table {
  TableName: string;
}
interface DynaliteStore {
  options: { maxItemSize: number };
  getTable(name: string, callback: Callback<Table>): void;
  getItemDb(name: string): ItemDb;
}
interface ParsedRequest extends Record<string, unknown> {
  _condition?: unknown;
  _updates?: { sections: UpdateSection[] };
}
interface UpdateSection {
  type: 'set' | 'remove' | 'add' | 'delete';
  path: (string | number)[];
  val: unknown;
}
interface DynaliteDb {
  create(options: Record<string, unknown>): DynaliteStore;
  validateKey(key: Item, table: Table): DynaliteError | null | undefined;
  validateItem(item: Item, table: Table): DynaliteError | null | undefined;
  createKey(item: Item, table: Table): string;
  checkConditional(data: ParsedRequest, existing: Item | undefined): DynaliteError | null | undefined;
  itemSize(item: Item): number;
  updateIndexes(store: DynaliteStore, table: Table, oldItem: Item | null | undefined, newItem: Item | null | undefined, callback: Callback<void>): void;
}
interface Validations {
  checkTypes(data: Record<string, unknown>, types: unknown): ParsedRequest;
  checkValidations(data: ParsedRequest, types: unknown, custom: unknown, store: DynaliteStore): void;
}
interface ActionValidation {
  types: unknown;
  custom: unknown;
}

const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;
const dynaliteDb = require('dynalite/db') as DynaliteDb;
const validations = require('dynalite/validations') as Validations;
const crc32 = require('buffer-crc32') as { unsigned(body: string): number };
const actionValidations = {
  Put: require('dynalite/validations/putItem') as ActionValidation,
  Update: require('dynalite/validations/updateItem') as ActionValidation,
  Delete: require('dynalite/validations/deleteItem') as ActionValidation,
  ConditionCheck: require('dynalite/validations/deleteItem') as ActionValidation,
};

export interface DynaliteServer {
  /** `http://127.0.0.1:<port>`, for the store's `endpoint`. */
  readonly endpoint: string;
  /** Transactions committed and cancelled so far, to show a test exercised both. */
  readonly transactions: { committed: number; cancelled: number };
  close(): Promise<void>;
}

/** The SDK signs every request; dynalite only checks a signature is present. Loopback-only fake credentials. */
export const dynaliteCredentialsEnv = {
  AWS_ACCESS_KEY_ID: 'dynalite-test',
  AWS_SECRET_ACCESS_KEY: 'dynalite-test',
  AWS_REGION: 'us-east-1',
  // Never let the SDK's credential chain reach for the EC2 metadata address.
  AWS_EC2_METADATA_DISABLED: 'true',
  // The SDK warns once per process that its 2027 releases need Node 22; tests need not repeat it.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

function failure(type: string, message: string, extra: Record<string, unknown> = {}): { status: number; body: Record<string, unknown> } {
  return { status: 400, body: { __type: type, message, Message: message, ...extra } };
}

function validationFailure(message: string) {
  return failure('com.amazon.coral.validate#ValidationException', message);
}

const callback = <T>(run: (done: Callback<T>) => void): Promise<T | undefined> =>
  new Promise((resolve, reject) => run((error, value) => (error && error.name !== 'NotFoundError' ? reject(error) : resolve(error ? undefined : value))));

interface PreparedAction {
  kind: keyof typeof actionValidations;
  data: ParsedRequest;
  table: Table;
  itemDb: ItemDb;
  key: string;
  returnOldOnFailure: boolean;
}

function applySet(item: Item, section: UpdateSection): string | undefined {
  const resolve = (value: unknown): AttributeValue | string => {
    if (Array.isArray(value)) return value.length === 1 && item[value[0] as string] ? item[value[0] as string]! : 'The provided expression refers to an attribute that does not exist in the item';
    const operation = value as { type?: string; name?: string; args?: unknown[] };
    if (operation.type === 'add' || operation.type === 'subtract') {
      const [left, right] = (operation.args ?? []).map(resolve);
      if (typeof left === 'string') return left;
      if (typeof right === 'string') return right;
      if (typeof left?.N !== 'string' || typeof right?.N !== 'string') return 'An operand in the update expression has an incorrect data type';
      const sum = operation.type === 'add' ? Number(left.N) + Number(right.N) : Number(left.N) - Number(right.N);
      return { N: String(sum) };
    }
    if (operation.type === 'function' && operation.name === 'if_not_exists') {
      const [path, fallback] = operation.args ?? [];
      const existing = Array.isArray(path) ? item[path[0] as string] : undefined;
      return existing ?? resolve(fallback);
    }
    if (operation.type !== undefined) return `the test server does not support ${operation.type} ${operation.name ?? ''} in a transaction`;
    return value as AttributeValue;
  };
  if (section.path.length !== 1) return 'the test server supports only top-level attributes in a transaction update';
  const value = resolve(section.val);
  if (typeof value === 'string') return value;
  item[section.path[0] as string] = value;
  return undefined;
}

function applyUpdate(existing: Item | undefined, key: Item, sections: UpdateSection[]): Item | string {
  const item: Item = structuredClone(existing ?? key);
  for (const section of sections) {
    if (section.type === 'remove' && section.path.length === 1) {
      delete item[section.path[0] as string];
      continue;
    }
    if (section.type !== 'set') return `the test server supports SET and REMOVE in a transaction update, not ${section.type.toUpperCase()}`;
    const problem = applySet(item, section);
    if (problem !== undefined) return problem;
  }
  return item;
}

async function transactWriteItems(store: DynaliteStore, request: { TransactItems?: unknown }, counts: { committed: number; cancelled: number }) {
  const entries = request.TransactItems;
  if (!Array.isArray(entries) || entries.length === 0 || entries.length > 100) return validationFailure('TransactItems must hold 1 to 100 actions');
  const prepared: PreparedAction[] = [];
  for (const entry of entries as Record<string, Record<string, unknown>>[]) {
    const kinds = Object.keys(entry).filter((kind) => kind in actionValidations) as (keyof typeof actionValidations)[];
    if (kinds.length !== 1) return validationFailure('each transaction action must be exactly one of Put, Update, Delete, ConditionCheck');
    const kind = kinds[0]!;
    const raw = { ...entry[kind]! };
    const returnOldOnFailure = raw.ReturnValuesOnConditionCheckFailure === 'ALL_OLD';
    delete raw.ReturnValuesOnConditionCheckFailure;
    let data: ParsedRequest;
    try {
      data = validations.checkTypes(raw, actionValidations[kind].types);
      validations.checkValidations(data, actionValidations[kind].types, actionValidations[kind].custom, store);
    } catch (error) {
      const known = error as DynaliteError;
      return { status: known.statusCode ?? 400, body: known.body ?? { __type: 'com.amazon.coral.validate#ValidationException', message: known.message } };
    }
    const table = await callback<Table>((done) => store.getTable(data.TableName as string, done)).catch((error: DynaliteError) => error);
    if (table === undefined || table instanceof Error) return failure('com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', 'Requested resource not found');
    const keySource = (kind === 'Put' ? data.Item : data.Key) as Item;
    const invalid = kind === 'Put' ? dynaliteDb.validateItem(keySource, table) : dynaliteDb.validateKey(keySource, table);
    if (invalid) return { status: invalid.statusCode ?? 400, body: invalid.body! };
    prepared.push({ kind, data, table, itemDb: store.getItemDb(table.TableName), key: dynaliteDb.createKey(keySource, table), returnOldOnFailure });
  }
  const lockOrder = prepared.map((action) => `${action.table.TableName}\u0000${action.key}`);
  if (new Set(lockOrder).size !== lockOrder.length) return validationFailure('Transaction request cannot include multiple operations on one item');

  // Lock in a fixed order so that two transactions over the same items cannot deadlock.
  const releases: (() => void)[] = [];
  const sorted = [...prepared].sort((left, right) => (`${left.table.TableName}\u0000${left.key}` < `${right.table.TableName}\u0000${right.key}` ? -1 : 1));
  for (const action of sorted) {
    releases.push(await new Promise<() => void>((resolve) => action.itemDb.lock(action.key, (release) => resolve(release(() => undefined)))));
  }
  try {
    const existing = await Promise.all(prepared.map((action) => callback<Item>((done) => action.itemDb.get(action.key, done))));
    const reasons = prepared.map((action, index) => {
      if (!dynaliteDb.checkConditional(action.data, existing[index])) return { Code: 'None' };
      const reason: Record<string, unknown> = { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' };
      if (action.returnOldOnFailure && existing[index]) reason.Item = existing[index];
      return reason;
    });
    if (reasons.some((reason) => reason.Code !== 'None')) {
      counts.cancelled++;
      return failure(
        'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
        `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((reason) => reason.Code).join(', ')}]`,
        { CancellationReasons: reasons },
      );
    }
    const results: (Item | null | 'keep')[] = [];
    for (const [index, action] of prepared.entries()) {
      if (action.kind === 'ConditionCheck') results.push('keep');
      else if (action.kind === 'Delete') results.push(null);
      else if (action.kind === 'Put') results.push(action.data.Item as Item);
      else {
        const updated = applyUpdate(existing[index], action.data.Key as Item, action.data._updates?.sections ?? []);
        if (typeof updated === 'string') return validationFailure(updated);
        results.push(updated);
      }
      const result = results[index];
      if (result && result !== 'keep' && dynaliteDb.itemSize(result) > store.options.maxItemSize) return validationFailure('Item size has exceeded the maximum allowed size');
    }
    for (const [index, action] of prepared.entries()) {
      const result = results[index]!;
      if (result === 'keep') continue;
      await callback<void>((done) => dynaliteDb.updateIndexes(store, action.table, existing[index], result, done));
      if (result === null) await callback<void>((done) => action.itemDb.del(action.key, done));
      else await callback<void>((done) => action.itemDb.put(action.key, result, done));
    }
    counts.committed++;
    return { status: 200, body: {} };
  } finally {
    for (const release of releases) release();
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.statusCode = status;
  response.setHeader('content-type', 'application/x-amz-json-1.0');
  response.setHeader('x-amz-crc32', crc32.unsigned(text));
  response.setHeader('x-amzn-requestid', 'dynalite-test');
  response.end(text);
}

/** Starts dynalite in memory with the added operations on 127.0.0.1 and a free port. */
export async function startDynalite(): Promise<DynaliteServer> {
  let store: DynaliteStore | undefined;
  const originalCreate = dynaliteDb.create;
  dynaliteDb.create = (options) => (store = originalCreate(options));
  let inner: Server;
  try {
    inner = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  } finally {
    dynaliteDb.create = originalCreate;
  }
  if (store === undefined) throw new Error('could not reach dynalite\'s store');
  const dynaliteHandler = inner.listeners('request')[0] as (request: IncomingMessage, response: ServerResponse) => void;
  const timeToLive = new Map<string, { AttributeName: string; TimeToLiveStatus: 'ENABLED' }>();
  const transactions = { committed: 0, cancelled: 0 };
  const storeOf = store;

  const server = createServer((request, response) => {
    const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1];
    if (operation !== 'TransactWriteItems' && operation !== 'UpdateTimeToLive' && operation !== 'DescribeTimeToLive') {
      dynaliteHandler(request, response);
      return;
    }
    void (async () => {
      const body = JSON.parse((await readBody(request)) || '{}') as Record<string, unknown>;
      if (operation === 'TransactWriteItems') {
        const { status, body: answer } = await transactWriteItems(storeOf, body, transactions);
        send(response, status, answer);
        return;
      }
      const tableName = String(body.TableName);
      const table = await callback<Table>((done) => storeOf.getTable(tableName, done)).catch(() => undefined);
      if (table === undefined) return send(response, 400, failure('com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', 'Requested resource not found').body);
      if (operation === 'DescribeTimeToLive') {
        send(response, 200, { TimeToLiveDescription: timeToLive.get(tableName) ?? { TimeToLiveStatus: 'DISABLED' } });
        return;
      }
      const specification = body.TimeToLiveSpecification as { AttributeName: string; Enabled: boolean };
      if (specification.Enabled) timeToLive.set(tableName, { AttributeName: specification.AttributeName, TimeToLiveStatus: 'ENABLED' });
      else timeToLive.delete(tableName);
      send(response, 200, { TimeToLiveSpecification: specification });
    })().catch((error: Error) => send(response, 500, { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: error.message }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    transactions,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // Closes dynalite's LevelDB; its own listener never listened.
      await new Promise<void>((resolve) => inner.close(() => resolve()));
    },
  };
}
