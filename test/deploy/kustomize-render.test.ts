import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseEnvFile, renderKustomization } from './kustomize-render.js';

describe('the test kustomize renderer', () => {
  const directory = mkdtempSync(join(tmpdir(), 'switchboard-kustomize-'));
  after(() => rmSync(directory, { recursive: true, force: true }));

  function write(path: string, text: string): void {
    mkdirSync(join(directory, path, '..'), { recursive: true });
    writeFileSync(join(directory, path), text);
  }

  write('base/kustomization.yaml', 'resources: [app.yaml]\nconfigMapGenerator:\n  - name: conf\n    files: [settings.yaml, renamed.txt=other.txt]\nsecretGenerator:\n  - name: creds\n    envs: [creds.env]\n');
  write('base/app.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app, labels: {a: b}}\nspec:\n  template:\n    spec:\n      containers: [{name: app, image: "app:1.0"}, {name: side, image: "other:2"}]\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app}\n');
  write('base/settings.yaml', 'port: 8080\n');
  write('base/other.txt', 'hello');
  write('base/creds.env', '# comment\nTOKEN=replace-me\n\nURL=redis://h:1?a=b\n');
  write('overlay/kustomization.yaml', 'namespace: prod\nresources: [ns.yaml, ../base]\nimages:\n  - name: app\n    newName: registry.example:5000/app\n    newTag: "2.0"\npatches:\n  - path: sa.yaml\nsecretGenerator:\n  - name: creds\n    behavior: replace\n    literals: [TOKEN=replace-me-too]\n');
  write('overlay/ns.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: prod}\n');
  write('overlay/sa.yaml', 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n  annotations: {role: arn}\n');

  it('renders resources, generators, patches, images and the namespace as kustomize does', () => {
    const base = renderKustomization(join(directory, 'base'));
    assert.deepEqual(base.map((object) => `${object.kind}/${object.metadata?.name}`), ['Deployment/app', 'ServiceAccount/app', 'ConfigMap/conf', 'Secret/creds']);
    assert.deepEqual(base[2]!.data, { 'settings.yaml': 'port: 8080\n', 'renamed.txt': 'hello' });
    assert.deepEqual(base[3]!.data, { TOKEN: Buffer.from('replace-me').toString('base64'), URL: Buffer.from('redis://h:1?a=b').toString('base64') });
    assert.equal(base[3]!.type, 'Opaque');

    const overlay = renderKustomization(join(directory, 'overlay'));
    const deployment = overlay.find((object) => object.kind === 'Deployment') as unknown as { metadata: { namespace: string; labels: object }; spec: { template: { spec: { containers: { image: string }[] } } } };
    assert.deepEqual(deployment.spec.template.spec.containers.map((container) => container.image), ['registry.example:5000/app:2.0', 'other:2']);
    assert.equal(deployment.metadata.namespace, 'prod');
    assert.deepEqual(deployment.metadata.labels, { a: 'b' });
    assert.equal(overlay.find((object) => object.kind === 'Namespace')!.metadata?.namespace, undefined, 'a Namespace is cluster-scoped');
    const account = overlay.find((object) => object.kind === 'ServiceAccount')!;
    assert.deepEqual(account.metadata, { name: 'app', annotations: { role: 'arn' }, namespace: 'prod' });
    assert.deepEqual(overlay.find((object) => object.kind === 'Secret')!.data, { TOKEN: Buffer.from('replace-me-too').toString('base64') });
  });

  it('refuses what it does not implement, with a message that names it', () => {
    write('unsupported/kustomization.yaml', 'resources: []\nreplicas: [{name: app, count: 3}]\n');
    assert.throws(() => renderKustomization(join(directory, 'unsupported')), /does not implement: replicas/);
    write('orphan/kustomization.yaml', 'secretGenerator:\n  - name: creds\n    behavior: merge\n    literals: [A=b]\n');
    assert.throws(() => renderKustomization(join(directory, 'orphan')), /behavior merge needs the same generator in a base/);
    write('list-patch/kustomization.yaml', 'resources: [../base]\npatches: [{path: p.yaml}]\n');
    write('list-patch/p.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\nspec: {template: {spec: {containers: [{name: app}]}}}\n');
    assert.throws(() => renderKustomization(join(directory, 'list-patch')), /lists are not supported/);
    write('broken/kustomization.yaml', 'resources: [a.yaml]\n');
    write('broken/a.yaml', 'kind: [unclosed\n');
    assert.throws(() => renderKustomization(join(directory, 'broken')), /a\.yaml: YAML document 1/);
    assert.throws(() => parseEnvFile('GOOD=1\nnot a pair\n', 'x.env'), /x\.env:2: expected KEY=VALUE/);
  });
});
