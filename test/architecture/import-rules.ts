/** The rules architecture tests state over import edges: which folders a folder may import, and that no files import each other in a loop. */

import type { ImportEdge } from './import-scanner.js';

export interface ImportRule {
  /** The importing files: every repository path that starts with this (`src/lab/`). */
  from: string;
  /** What they may import: folders end with `/`, a file is named whole (`src/errors.ts`). */
  mayImport: readonly string[];
  /** Node builtins and npm packages are allowed unless this is false. */
  packages?: boolean;
}

const covers = (prefix: string, path: string): boolean => (prefix.endsWith('/') ? path.startsWith(prefix) : path === prefix);

/** The edges that break a rule; a file no rule names is not checked, and a file two rules name must satisfy both. */
export function forbiddenImports(edges: readonly ImportEdge[], rules: readonly ImportRule[]): ImportEdge[] {
  return edges.filter((edge) =>
    rules.some((rule) => {
      if (!edge.from.startsWith(rule.from)) return false;
      if (edge.target.kind !== 'file') return rule.packages === false;
      const path = edge.target.path;
      return !rule.mayImport.some((prefix) => covers(prefix, path));
    }),
  );
}

/** Groups of repository files that reach each other through imports (Tarjan's strongly connected components), each sorted; a file importing itself is a group of one. */
export function importCycles(edges: readonly ImportEdge[]): string[][] {
  const graph = new Map<string, Set<string>>();
  for (const edge of edges) {
    if (edge.target.kind !== 'file') continue;
    if (!graph.has(edge.from)) graph.set(edge.from, new Set());
    graph.get(edge.from)!.add(edge.target.path);
  }
  const index = new Map<string, number>();
  const lowest = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;
  const connect = (file: string): void => {
    index.set(file, counter);
    lowest.set(file, counter);
    counter++;
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        connect(next);
        lowest.set(file, Math.min(lowest.get(file)!, lowest.get(next)!));
      } else if (onStack.has(next)) lowest.set(file, Math.min(lowest.get(file)!, index.get(next)!));
    }
    if (lowest.get(file) !== index.get(file)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== file);
    if (group.length > 1 || graph.get(file)?.has(file)) cycles.push(group.sort());
  };
  for (const file of [...graph.keys()].sort()) if (!index.has(file)) connect(file);
  return cycles.sort((left, right) => left[0]!.localeCompare(right[0]!));
}
