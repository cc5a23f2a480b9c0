/**
 * V8's code cache for the CLI's modules on Node ≥ 22.1 (`module.enableCompileCache`): each module
 * loaded after this call is compiled from its cached code instead of its source when the cache
 * holds it, which is most of what a start spends compiling (docs/benchmarks.md, cold start).
 *
 * The cache lives beside the bundle (dist/compile-cache/), so the container image ships it filled
 * at build time (scripts/fill-compile-cache.mjs) and read-only, like the code. A stale or missing
 * entry is harmless: Node checks each entry against its source's hash and compiles what does not
 * match (and writes it back when the folder is writable). Where the folder can be neither used nor
 * made, Node's default (a folder in the OS temp dir) is tried. `NODE_COMPILE_CACHE` set by the
 * operator wins (Node enabled it already); `NODE_DISABLE_COMPILE_CACHE=1` turns it off. On Node 20
 * there is no such API and this does nothing.
 */

import module from 'node:module';

interface CompileCacheResult {
  status: number;
  message?: string;
  directory?: string;
}

/** The part of node:module that Node 22.1 added (the type definitions here are Node 20's). */
interface CompileCacheApi {
  enableCompileCache?: (directory?: string) => CompileCacheResult;
  constants?: { compileCacheStatus?: { FAILED: number } };
}

export const compileCacheDirectory = new URL('../compile-cache/', import.meta.url);

export function enableCompileCache(): CompileCacheResult | undefined {
  const api = module as unknown as CompileCacheApi;
  if (typeof api.enableCompileCache !== 'function') return undefined;
  try {
    const result = api.enableCompileCache(compileCacheDirectory.pathname);
    if (result.status !== api.constants?.compileCacheStatus?.FAILED) return result;
    return api.enableCompileCache();
  } catch {
    // A cache that cannot be used only costs the compile it would have saved.
    return undefined;
  }
}
