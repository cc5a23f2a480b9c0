/**
 * undici is the largest module an upstream call needs, so it is imported once, on first use;
 * `serve` makes that use while the runtime is built and awaits it before listening, so a ready
 * pod has it. Only its core is loaded (undici-core.ts).
 */

import type { undici as UndiciCore } from './undici-core.js';

type Undici = typeof UndiciCore;

let undici: Promise<Undici> | undefined;

export function loadUndici(): Promise<Undici> {
  return (undici ??= import('./undici-core.js').then((module) => module.undici));
}
