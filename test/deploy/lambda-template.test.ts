/**
 * deploy/lambda: the SAM template creates the table the store expects, runs the package the build
 * makes on a supported Node.js, sets only settings something reads, and the README's commands name
 * files that exist and the places the template reads from.
 */

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml, type Tags } from 'yaml';
import { loadConfigFile } from '../../src/config/load-config.js';
import { attributeNames } from '../../src/stores/dynamodb/dynamodb-item-keys.js';
import { tableDefinition } from '../../src/stores/dynamodb/dynamodb-table.js';
import { repositoryRoot } from '../support/repository-root.js';

const folder = join(repositoryRoot, 'deploy', 'lambda');
// CloudFormation's short forms, read as their long forms.
const cloudFormationTags: Tags = [
  { tag: '!Ref', resolve: (value: string) => ({ Ref: value }) },
  { tag: '!Sub', resolve: (value: string) => ({ 'Fn::Sub': value }) },
  { tag: '!GetAtt', resolve: (value: string) => ({ 'Fn::GetAtt': value.split('.') }) },
];

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
}
const template = parseYaml(readFileSync(join(folder, 'template.yaml'), 'utf8'), { customTags: cloudFormationTags }) as {
  Parameters: Record<string, { Default?: unknown }>;
  Globals: { Function: { Runtime: string; Environment: { Variables: Record<string, unknown> } } };
  Resources: Record<string, Resource>;
};
const resources = Object.entries(template.Resources);
const [tableId, table] = resources.find(([, resource]) => resource.Type === 'AWS::DynamoDB::Table') ?? [];
const functions = resources.filter(([, resource]) => resource.Type === 'AWS::Serverless::Function');
const variables = template.Globals.Function.Environment.Variables;
const readme = readFileSync(join(folder, 'README.md'), 'utf8');
const commands = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((block) => block[1]!.replace(/\\\n\s*/g, '').split('\n')).map((line) => line.replace(/\s+#.*$/, '').trim()).filter(Boolean);

const sortByName = <T extends { AttributeName?: string; IndexName?: string }>(items: T[]) => [...items].sort((a, b) => String(a.AttributeName ?? a.IndexName).localeCompare(String(b.AttributeName ?? b.IndexName)));

describe('deploy/lambda', () => {
  it('creates the DynamoDB table exactly as `switchboard store init` does, with TTL on, and lets both functions use it', () => {
    assert.ok(table, 'the template creates a DynamoDB table');
    const expected = tableDefinition('any');
    const properties = table.Properties as Record<string, never>;
    assert.equal(properties.BillingMode, expected.BillingMode);
    assert.deepEqual(sortByName(properties.AttributeDefinitions), sortByName(expected.AttributeDefinitions));
    assert.deepEqual(properties.KeySchema, expected.KeySchema);
    assert.deepEqual(sortByName(properties.GlobalSecondaryIndexes), sortByName(expected.GlobalSecondaryIndexes));
    assert.deepEqual(properties.TimeToLiveSpecification, { AttributeName: attributeNames.timeToLive, Enabled: true });
    assert.equal(functions.length, 2);
    for (const [id, resource] of functions) {
      assert.deepEqual(resource.Properties.Policies, [{ DynamoDBCrudPolicy: { TableName: { Ref: tableId } } }], `${id} may use the table`);
    }
  });

  it('runs the package npm run build makes, on a supported Node.js LTS', () => {
    assert.match(template.Globals.Function.Runtime, /^nodejs(22|24)\.x$/);
    const handlers = functions.map(([, resource]) => {
      const codeUri = resolve(folder, String(resource.Properties.CodeUri));
      assert.equal(relative(repositoryRoot, codeUri), join('dist', 'lambda'));
      assert.ok(existsSync(join(codeUri, 'handler.mjs')), 'the build wrote the handler the template names');
      return { handler: resource.Properties.Handler, streaming: (resource.Properties.FunctionUrlConfig as { InvokeMode?: string } | undefined)?.InvokeMode === 'RESPONSE_STREAM' };
    });
    assert.deepEqual(handlers.sort((a, b) => String(a.handler).localeCompare(String(b.handler))), [
      { handler: 'handler.handler', streaming: false },
      { handler: 'handler.streamHandler', streaming: true },
    ]);
  });

  it('sets only variables something reads, and the example config reads only variables that are set', () => {
    const example = readFileSync(join(folder, 'config.example.yaml'), 'utf8');
    const readByExample = new Set([...example.matchAll(/\$\{([A-Z0-9_]+)(?::-[^}]*)?\}/g)].map((match) => match[1]!));
    // Read by the code (src/config/resolve-config.ts) or by node itself.
    const readElsewhere = new Set(['SWITCHBOARD_CONFIG', 'NODE_OPTIONS']);
    for (const name of Object.keys(variables)) assert.ok(readByExample.has(name) || readElsewhere.has(name), `${name} is set but nothing reads it`);
    // AWS_REGION is set by the Lambda runtime in every execution environment.
    for (const name of readByExample) assert.ok(name in variables || name === 'AWS_REGION', `config.example.yaml reads ${name}, which nothing sets`);
    assert.deepEqual(variables.SWITCHBOARD_TABLE, { Ref: tableId });
    const config = loadConfigFile(join(folder, 'config.example.yaml'), { SWITCHBOARD_TABLE: String(template.Parameters.TableName?.Default), AWS_REGION: 'eu-west-1', OPENAI_API_KEY: 'sk-test' });
    assert.deepEqual(config.store, { kind: 'dynamodb', table: 'switchboard', region: 'eu-west-1' });
  });

  it("README's commands name files that exist and put the config where the template reads it", () => {
    const copy = commands.find((line) => line.startsWith('cp '));
    assert.ok(copy, 'the README copies the config into the package');
    const [, source, destination] = copy.split(/\s+/);
    assert.ok(existsSync(join(repositoryRoot, source!)), `${source} exists`);
    assert.equal(resolve(repositoryRoot, destination!), join(repositoryRoot, 'dist', 'lambda', String(variables.SWITCHBOARD_CONFIG).replace('/var/task/', '')));
    const deploy = commands.find((line) => line.startsWith('sam deploy'));
    assert.equal(resolve(repositoryRoot, /--template-file (\S+)/.exec(deploy ?? '')?.[1] ?? ''), join(folder, 'template.yaml'));
    const scripts = (JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const script of commands.join(' ').matchAll(/npm run (\S+)/g)) assert.ok(scripts[script[1]!], `npm run ${script[1]} exists`);
    const keys = commands.find((line) => line.includes('keys create'));
    assert.match(keys ?? '', new RegExp(`--config ${destination!.replace(/[.]/g, '\\.')}`), 'keys are made with the deployed config');
    for (const path of (keys ?? '').match(/\bdist\/\S+\.mjs\b/g) ?? []) assert.ok(existsSync(join(repositoryRoot, path)), `${path} is built`);
  });
});
