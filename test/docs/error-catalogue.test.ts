import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { errorCatalogue, SwitchboardError, toSwitchboardError } from '../../src/errors.js';

const docs = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

describe('the error catalogue', () => {
  it('is documented code by code with the right status', () => {
    for (const [code, entry] of Object.entries(errorCatalogue)) {
      assert.match(docs, new RegExp(`\\| \`${code}\` \\| ${entry.status} \\|`), `docs/errors.md lacks ${code} with status ${entry.status}`);
    }
    const documented = [...docs.matchAll(/^\| `([a-z_]+)` \|/gm)].map((match) => match[1]);
    assert.deepEqual(documented.sort(), Object.keys(errorCatalogue).sort(), 'docs/errors.md lists a code the catalogue lacks');
  });

  it('serialises in OpenAI shape and hides internal causes', () => {
    const error = new SwitchboardError('invalid_request', 'Invalid field "x"', { param: 'x' });
    assert.deepEqual(error.toJSON(), { error: { message: 'Invalid field "x"', type: 'invalid_request_error', code: 'invalid_request', param: 'x' } });
    const hidden = toSwitchboardError(new Error('database password is hunter2'));
    assert.equal(hidden.status, 500);
    assert.doesNotMatch(JSON.stringify(hidden.toJSON()), /hunter2/);
  });
});
