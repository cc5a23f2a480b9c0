/** Checks a tool call's arguments against the tool's JSON Schema before the tool runs; validators are compiled once. */

import { Ajv, type ValidateFunction } from 'ajv';

export type ParsedArguments = { ok: true; value: Record<string, unknown> } | { ok: false; message: string };

/** What the loop needs of the validator. */
export interface ArgumentParser {
  parse(schema: Record<string, unknown>, text: string): ParsedArguments;
}

export class ToolArgumentValidator implements ArgumentParser {
  readonly #ajv = new Ajv({ allErrors: true, strict: false });
  readonly #compiled = new WeakMap<object, ValidateFunction>();

  /** Compiles now, so a bad schema fails when the agent is built, not mid-turn. */
  prepare(schema: Record<string, unknown>): void {
    this.#validator(schema);
  }

  #validator(schema: Record<string, unknown>): ValidateFunction {
    let validate = this.#compiled.get(schema);
    if (!validate) {
      validate = this.#ajv.compile(schema);
      this.#compiled.set(schema, validate);
    }
    return validate;
  }

  /** The model's argument text parsed and validated; the message says what is wrong, in words the model can act on. */
  parse(schema: Record<string, unknown>, text: string): ParsedArguments {
    let value: unknown;
    try {
      value = text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      return { ok: false, message: 'the arguments are not valid JSON' };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, message: 'the arguments must be a JSON object' };
    const validate = this.#validator(schema);
    if (validate(value)) return { ok: true, value: value as Record<string, unknown> };
    const problems = (validate.errors ?? []).map((error) => `${error.instancePath || '(arguments)'} ${error.message ?? 'is invalid'}`);
    return { ok: false, message: `invalid arguments: ${problems.join('; ')}` };
  }
}
