/** Assertions the store contract suites share. */

import assert from 'node:assert/strict';

/** The promise rejects with `invalid_request`, naming `param` when given. */
export async function rejectsAsInvalid(promise: Promise<unknown>, param?: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    const { code, param: errorParam } = error as { code?: unknown; param?: unknown };
    assert.equal(code, 'invalid_request');
    if (param !== undefined) assert.equal(errorParam, param);
    return true;
  });
}
