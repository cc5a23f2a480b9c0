/** Why a call went where it went: filled in by the callers as the call moves down, returned with every answer. */

export interface RouteDecision {
  route: string;
  /** The rule that chose the pools, or `default`. */
  rule: string;
  /** The pool and instance of the last attempt: the ones that answered when the call succeeded. */
  pool: string;
  instance: string;
  /** The model name that pool sends upstream. */
  model: string;
  attempts: number;
}

export function newDecision(route: string): RouteDecision {
  return { route, rule: 'default', pool: '', instance: '', model: '', attempts: 0 };
}
