import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { dockerfileProblems, execForm, parseDockerfile, type DockerStage } from './dockerfile-check.js';

// Compiled tests live in <outDir>/test/deploy/, and every outDir sits at the repository root.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const stages = parseDockerfile(dockerfile);
const builder = stages[0]!;
const runtime = stages.at(-1)!;

function args(stage: DockerStage, keyword: string): string[] {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);
}

interface PodContainer {
  args?: string[];
  ports?: { containerPort: number }[];
  securityContext?: { runAsUser?: number };
}
const deployment = parseYaml(readFileSync(join(root, 'deploy/kubernetes/base/deployment.yaml'), 'utf8')) as {
  spec: { template: { spec: { securityContext?: { runAsUser?: number }; containers: PodContainer[] } } };
};
const container = deployment.spec.template.spec.containers[0]!;

describe('the Dockerfile', () => {
  it('passes the image rules: multi-stage, pinned bases, non-root numeric user, exec form, no baked secrets', () => {
    assert.deepEqual(dockerfileProblems(dockerfile), []);
    assert.ok(stages.length >= 2);
  });

  it('builds in the first stage and ships only production dependencies and the compiled output', () => {
    const runs = args(builder, 'RUN').join('\n');
    assert.match(runs, /\bnpm ci\b/, 'npm ci: installs exactly the lockfile');
    assert.match(runs, /\bnpm run build\b/);
    assert.match(runs, /\bnpm prune --omit=dev\b/);
    assert.ok(runs.indexOf('npm ci') < runs.indexOf('npm run build') && runs.indexOf('npm run build') < runs.indexOf('npm prune'), 'install, build, prune in that order');
    const copies = args(runtime, 'COPY');
    for (const path of ['/app/dist', '/app/node_modules', '/app/package.json']) {
      assert.ok(copies.some((copy) => copy.startsWith(`--from=${builder.name}`) && copy.includes(path)), `runtime copies ${path} from ${builder.name}`);
    }
    assert.ok(!copies.some((copy) => /\bsrc\b/.test(copy)), 'no TypeScript sources in the runtime image');
    assert.equal(runtime.image, builder.image, 'same base in both stages, so the native module matches');
    assert.match(runtime.image, /^node:(22|24)[.\d]*-bookworm-slim$/, 'a supported Node.js LTS on a Debian base: it has `sleep` for the preStop hook');
  });

  it('copies into the builder every file `npm run build` reads, and runs the Node.js major the Lambda template runs', () => {
    const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const copied = args(builder, 'COPY').flatMap((copy) => copy.split(/\s+/).slice(0, -1));
    const covered = (path: string) => copied.some((source) => path === source || path.startsWith(`${source}/`));
    // Files the build script names, and the TypeScript sources tsconfig includes that exist in a clean clone's src/.
    const named = packageJson.scripts.build!.match(/[\w./-]+\.(?:json|mjs|js)\b/g) ?? [];
    for (const path of [...named, 'src']) assert.ok(covered(path), `the build reads ${path} but the builder stage does not COPY it`);
    const template = readFileSync(join(root, 'deploy/lambda/template.yaml'), 'utf8');
    const lambdaMajor = /Runtime: nodejs(\d+)\.x/.exec(template)?.[1];
    assert.equal(/^node:(\d+)/.exec(runtime.image)?.[1], lambdaMajor, 'the image and Lambda run the same Node.js major');
  });

  it('starts the CLI the way package.json and the Kubernetes Deployment expect', () => {
    const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    const entrypoint = execForm(args(runtime, 'ENTRYPOINT').at(-1) ?? '');
    assert.deepEqual(entrypoint, ['node', packageJson.bin.switchboard]);
    assert.ok(existsSync(join(root, packageJson.bin.switchboard)), 'the entry is built by npm run build');
    assert.deepEqual(execForm(args(runtime, 'CMD').at(-1) ?? ''), container.args, 'CMD matches the Deployment\'s args');
    const user = Number(args(runtime, 'USER').at(-1)?.split(':')[0]);
    assert.equal(user, container.securityContext?.runAsUser ?? deployment.spec.template.spec.securityContext?.runAsUser);
    assert.deepEqual(args(runtime, 'EXPOSE'), [String(container.ports?.[0]?.containerPort)]);
  });

  it('catches a broken Dockerfile', () => {
    const cases: [string, string, RegExp][] = [
      ['one stage', dockerfile.slice(dockerfile.indexOf('FROM node:24-bookworm-slim AS runtime')), /at least two FROM/],
      ['root user', dockerfile.replace('USER 10001:10001', 'USER root'), /runs as root/],
      ['no user', dockerfile.replace('USER 10001:10001', ''), /sets no USER/],
      ['named user', dockerfile.replace('USER 10001:10001', 'USER node'), /numeric id/],
      ['floating base', dockerfile.replace('FROM node:24-bookworm-slim AS builder', 'FROM node AS builder'), /pin the base image/],
      ['latest base', dockerfile.replace('FROM node:24-bookworm-slim AS runtime', 'FROM node:latest AS runtime'), /pin the base image/],
      ['baked secret', dockerfile.replace('ENV NODE_ENV=production', 'ENV NODE_ENV=production OPENAI_API_KEY=sk-test'), /OPENAI_API_KEY bakes a secret/],
      ['shell form', dockerfile.replace('ENTRYPOINT ["node", "dist/bin/switchboard.mjs"]', 'ENTRYPOINT node dist/bin/switchboard.mjs'), /shell form/],
      ['healthcheck', `${dockerfile}\nHEALTHCHECK CMD curl -f http://localhost:8080/healthz\n`, /HEALTHCHECK/],
    ];
    for (const [name, text, expected] of cases) {
      assert.notEqual(text, dockerfile, `${name}: the mutation applies`);
      assert.match(dockerfileProblems(text).join('\n'), expected, name);
    }
  });

  it('keeps dependencies, build output and secrets out of the build context', () => {
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n').map((line) => line.trim());
    for (const pattern of ['.git', 'node_modules', 'dist', '**/secrets.env', '.env']) assert.ok(ignored.includes(pattern), `.dockerignore lacks ${pattern}`);
  });
});
