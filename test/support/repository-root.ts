/** The repository root, seen from compiled tests (dist/test/...), and whether a path lies inside it. */

import { relative, isAbsolute, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// This file compiles to dist/test/support/; the repository root is three levels up.
export const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');

export function isInsideRepository(path: string): boolean {
  const rest = relative(repositoryRoot, path);
  return rest === '' || (!rest.startsWith(`..${sep}`) && rest !== '..' && !isAbsolute(rest));
}
