// esbuild plugins that turn two of our dependencies' top-level requires into requires on first use,
// so a start does not load what only an unconfigured feature needs (docs/benchmarks.md, cold start):
//  - undici's Client requires its HTTP/2 client at its top, and that loads node:http2 and node:tls
//    (ten builtin modules), although HTTP/2 is only spoken after a TLS handshake agreed on it (ALPN h2);
//  - prom-client's CPU metric requires @opentelemetry/api at its top for exemplars, which the metrics
//    never enable; the CLI bundle leaves that require to node_modules (the API keeps its state on a
//    global, so a second copy shares it), the Lambda package keeps it bundled but unevaluated.
// Each rewrite checks that the line it replaces is there: an upgrade that changes it fails the build
// rather than silently loading the module again.

import { readFile } from 'node:fs/promises';

const rewrites = [
  {
    file: /[\\/]node_modules[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client\.js$/,
    line: "const connectH2 = require('./client-h2.js')",
    lazy: "let clientH2Module\nconst connectH2 = (client, socket) => (clientH2Module ??= require('./client-h2.js'))(client, socket)",
  },
  {
    file: /[\\/]node_modules[\\/]prom-client[\\/]lib[\\/]metrics[\\/]processCpuTotal\.js$/,
    line: "const OtelApi = require('@opentelemetry/api');",
    lazy: "let otelApiModule;\nconst OtelApi = { get trace() { return (otelApiModule ??= require('@opentelemetry/api')).trace; }, get context() { return (otelApiModule ??= require('@opentelemetry/api')).context; } };",
  },
];

/** `externalOtelApiForPromClient`: leave prom-client's (now lazy) require of @opentelemetry/api to node_modules. */
export function lazyDependencyRequires({ externalOtelApiForPromClient = false } = {}) {
  return {
    name: 'lazy-dependency-requires',
    setup(build) {
      for (const rewrite of rewrites) {
        build.onLoad({ filter: rewrite.file }, async (args) => {
          const source = await readFile(args.path, 'utf8');
          if (!source.includes(rewrite.line)) throw new Error(`lazy-dependency-requires: ${args.path} no longer has \`${rewrite.line}\`; update scripts/lazy-dependency-requires.mjs`);
          return { contents: source.replace(rewrite.line, rewrite.lazy), loader: 'js' };
        });
      }
      if (externalOtelApiForPromClient) {
        build.onResolve({ filter: /^@opentelemetry\/api$/ }, (args) => (/[\\/]node_modules[\\/]prom-client[\\/]/.test(args.importer) ? { path: args.path, external: true } : undefined));
      }
    },
  };
}
