/** Matches a method and path to a route; patterns are fixed segments and `:name` parameters. */

import type { RouteSpec } from './route-spec.js';

interface CompiledRoute {
  route: RouteSpec;
  segments: string[];
}

export type RouteMatch =
  | { kind: 'found'; route: RouteSpec; params: Record<string, string> }
  | { kind: 'method-not-allowed'; pattern: string; allowed: string[] }
  | { kind: 'not-found' };

export class RouteTable {
  readonly #routes: CompiledRoute[];

  constructor(routes: readonly RouteSpec[]) {
    this.#routes = routes.map((route) => ({ route, segments: route.pattern.split('/') }));
  }

  /** HEAD is answered by the GET route of the path (node:http sends its headers without the body). */
  match(method: string, path: string): RouteMatch {
    const segments = path.split('/');
    const wanted = method === 'HEAD' ? 'GET' : method;
    let allowed: string[] | undefined;
    let allowedPattern = '';
    for (const { route, segments: pattern } of this.#routes) {
      const params = matchSegments(pattern, segments);
      if (!params) continue;
      if (route.method === wanted) return { kind: 'found', route, params };
      (allowed ??= []).push(route.method);
      allowedPattern = route.pattern;
    }
    return allowed ? { kind: 'method-not-allowed', pattern: allowedPattern, allowed } : { kind: 'not-found' };
  }
}

function matchSegments(pattern: string[], path: string[]): Record<string, string> | undefined {
  if (pattern.length !== path.length) return undefined;
  let params: Record<string, string> | undefined;
  for (let index = 0; index < pattern.length; index++) {
    const expected = pattern[index]!;
    const actual = path[index]!;
    if (expected.startsWith(':')) {
      if (actual.length === 0) return undefined;
      let decoded: string;
      try {
        decoded = decodeURIComponent(actual);
      } catch {
        return undefined;
      }
      (params ??= {})[expected.slice(1)] = decoded;
    } else if (expected !== actual) {
      return undefined;
    }
  }
  return params ?? {};
}
