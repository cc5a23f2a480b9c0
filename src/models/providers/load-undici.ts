/**
 * undici is the largest module an upstream call needs. It is imported on first use, or by
 * `loadUndici()` while the rest of the process starts (serve awaits it before listening, so a
 * ready pod has it); only its core is loaded (undici-core.ts).
 */

import type { undici as UndiciCore } from './undici-core.js';

type Undici = typeof UndiciCore;

let undici: Promise<Undici> | undefined;

export function loadUndici(): Promise<Undici> {
  return (undici ??= import('./undici-core.js').then((module) => module.undici));
}
