/** The `error.type` a span records for a failure: low-cardinality, from the error catalogue where it can be. */

import { isSwitchboardError } from '../errors.js';

/** A catalogue error's code (`upstream_timeout`), else the error's class name (`TypeError`), else `_OTHER` as the conventions ask. */
export function spanErrorType(error: unknown): string {
  if (isSwitchboardError(error)) return error.code;
  if (error instanceof Error && error.name) return error.name;
  return '_OTHER';
}
