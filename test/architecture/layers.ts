/**
 * The layer order of src/, written once: a module may import its own part, any part of a lower
 * layer, and nothing above it or beside it. lab and planner stand beside the stack and import
 * only the ground; only the named parts may import them. docs/architecture.md describes the same.
 */

/** Top to bottom. Parts in one row are siblings: they do not import each other (except in the ground row). */
export const layerOrder: readonly (readonly string[])[] = [
  ['cli', 'lambda'],
  ['app'],
  ['server'],
  ['pipeline'],
  ['access', 'agents', 'intent', 'experiments'],
  ['retrieval'],
  ['models'],
  ['stores'],
  ['telemetry', 'config', 'errors', 'chat', 'stats', 'charts'],
];

/** Parts beside the stack: they import only the ground, and only these parts may import them. */
export const besideParts: Readonly<Record<string, readonly string[]>> = {
  lab: ['cli', 'app'],
  planner: ['cli'],
};

/** Modules of the stores that other parts may import: the contracts at its top and each backend's public index. */
export function isPublicStoreModule(path: string): boolean {
  return /^src\/stores\/[^/]+\.ts$/.test(path) || /^src\/stores\/[^/]+\/index\.ts$/.test(path);
}

/** The part a source file belongs to: its first folder under src/, or the file's name for files at src/ itself (errors.ts → errors). */
export function partOf(path: string): string {
  const rest = path.replace(/^src\//, '');
  const slash = rest.indexOf('/');
  return slash === -1 ? rest.replace(/\.ts$/, '') : rest.slice(0, slash);
}

function layerIndex(part: string): number {
  return layerOrder.findIndex((row) => row.includes(part));
}

/** Why an import from `from` to `to` breaks the layers, or undefined when it is allowed. */
export function layerViolation(from: string, to: string): string | undefined {
  const source = partOf(from);
  const target = partOf(to);
  if (!to.startsWith('src/')) return `${from} imports ${to}, outside src/`;
  if (source === target) return undefined;
  const ground = layerOrder.length - 1;
  if (Object.hasOwn(besideParts, source)) {
    return layerIndex(target) === ground ? undefined : `${source} stands beside the stack and may import only the ground (${layerOrder[ground]!.join(', ')}), not ${target}`;
  }
  if (Object.hasOwn(besideParts, target)) {
    return besideParts[target]!.includes(source) ? undefined : `only ${besideParts[target]!.join(' and ')} may import ${target}, not ${source}`;
  }
  const sourceLayer = layerIndex(source);
  const targetLayer = layerIndex(target);
  if (sourceLayer === -1) return `${source} is in no layer: add it to test/architecture/layers.ts and docs/architecture.md`;
  if (targetLayer === -1) return `${target} is in no layer: add it to test/architecture/layers.ts and docs/architecture.md`;
  if (targetLayer < sourceLayer) return `${source} (layer ${sourceLayer}) imports ${target}, which is above it (layer ${targetLayer})`;
  if (targetLayer === sourceLayer && sourceLayer !== ground) return `${source} imports its sibling ${target}; siblings stay independent`;
  if (target === 'stores' && !isPublicStoreModule(to)) return `${source} reaches into the stores' internals (${to}); import a contract or a backend's index.ts`;
  return undefined;
}
