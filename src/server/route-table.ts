/** Matches a method and path to a route; patterns are fixed segments and `:name` parameters. */

import type { RouteSpec } from './route-spec.js';

interface CompiledRoute {
  route: RouteSpec;
  segments: string[];
  /** Per segment, the parameter's name, or undefined for a fixed segment: worked out once, not per request. */
  params: (string | undefined)[];
}

export type RouteMatch =
  | { kind: 'found'; route: RouteSpec; params: Record<string, string> }
  | { kind: 'method-not-allowed'; pattern: string; allowed: string[] }
  | { kind: 'not-found' };

export class RouteTable {
  /** Routes by their number of segments, each list in declaration order: only those can match a path of that length. */
  readonly #bySegments = new Map<number, CompiledRoute[]>();
  /**
   * Routes without parameters by their exact path and method, when the walk below would find them
   * first anyway (no route declared before them matches the same path): most requests are answered
   * from here without splitting the path.
   */
  readonly #exact = new Map<string, Map<string, RouteSpec>>();

  constructor(routes: readonly RouteSpec[]) {
    for (const route of routes) {
      const segments = route.pattern.split('/');
      const compiled: CompiledRoute = { route, segments, params: segments.map((segment) => (segment.startsWith(':') ? segment.slice(1) : undefined)) };
      let list = this.#bySegments.get(segments.length);
      if (!list) this.#bySegments.set(segments.length, (list = []));
      list.push(compiled);
    }
    for (const list of this.#bySegments.values()) {
      list.forEach((compiled, position) => {
        if (compiled.params.some((name) => name !== undefined)) return;
        const { method, pattern } = compiled.route;
        const shadowed = list.slice(0, position).some((earlier) => earlier.route.method === method && fixedSegmentsMatch(earlier, compiled.segments));
        if (shadowed) return;
        let byMethod = this.#exact.get(pattern);
        if (!byMethod) this.#exact.set(pattern, (byMethod = new Map()));
        if (!byMethod.has(method)) byMethod.set(method, compiled.route);
      });
    }
  }

  /** HEAD is answered by the GET route of the path (node:http sends its headers without the body). */
  match(method: string, path: string): RouteMatch {
    const exact = this.#exact.get(path)?.get(method === 'HEAD' ? 'GET' : method);
    if (exact !== undefined) return { kind: 'found', route: exact, params: {} };
    const segments = path.split('/');
    const candidates = this.#bySegments.get(segments.length);
    if (!candidates) return { kind: 'not-found' };
    const wanted = method === 'HEAD' ? 'GET' : method;
    let allowed: string[] | undefined;
    let allowedPattern = '';
    for (const compiled of candidates) {
      if (!fixedSegmentsMatch(compiled, segments)) continue;
      const { route } = compiled;
      if (route.method !== wanted) {
        // The parameters must decode for the path to be this route's at all.
        if (!decodeParams(compiled, segments)) continue;
        (allowed ??= []).push(route.method);
        allowedPattern = route.pattern;
        continue;
      }
      const params = decodeParams(compiled, segments);
      if (params) return { kind: 'found', route, params };
    }
    return allowed ? { kind: 'method-not-allowed', pattern: allowedPattern, allowed } : { kind: 'not-found' };
  }
}

/** The fixed segments are equal and every parameter segment is non-empty (nothing allocated). */
function fixedSegmentsMatch({ segments: pattern, params }: CompiledRoute, path: string[]): boolean {
  for (let index = 0; index < pattern.length; index++) {
    const actual = path[index]!;
    if (params[index] !== undefined) {
      if (actual.length === 0) return false;
    } else if (pattern[index] !== actual) {
      return false;
    }
  }
  return true;
}

/** The route's parameters, decoded; undefined when one does not decode (a malformed %-escape). */
function decodeParams({ params: names }: CompiledRoute, path: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let index = 0; index < names.length; index++) {
    const name = names[index];
    if (name === undefined) continue;
    try {
      params[name] = decodeURIComponent(path[index]!);
    } catch {
      return undefined;
    }
  }
  return params;
}
