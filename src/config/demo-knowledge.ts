/** Where the demo's product catalogue and FAQ (demo/knowledge/, shipped in the package) are, from wherever this module was built to. */

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The first `demo/knowledge` above this module (dist/src/config/ after tsc, dist/bin/ in the bundle); else the one under the working directory. */
export function demoKnowledgeDirectory(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let level = 0; level < 6; level++) {
    const candidate = join(directory, 'demo', 'knowledge');
    if (existsSync(candidate)) return candidate;
    directory = dirname(directory);
  }
  return resolve('demo', 'knowledge');
}
