/** Test helper: ajv (draft 2020-12 and draft-07) with formats, to check that what the simulator generates fits its schema. */

import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: Node hands over module.exports (the plugin) where its typings describe `default`.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv | Ajv2020) => void;

const draft2020 = new Ajv2020({ strict: false, allErrors: true });
const draft07 = new Ajv({ strict: false, allErrors: true });
addFormats(draft2020);
addFormats(draft07);

/** Undefined when `value` satisfies `schema`, else ajv's errors as text. */
export function schemaErrors(schema: object, value: unknown): string | undefined {
  const usesTupleItems = JSON.stringify(schema).includes('"additionalItems"') || /"items":\[/.test(JSON.stringify(schema));
  const validator = usesTupleItems ? draft07 : draft2020;
  const validate = validator.compile(schema);
  return validate(value) ? undefined : validator.errorsText(validate.errors);
}
