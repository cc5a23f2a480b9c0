/**
 * undici is the largest module Switchboard loads (about 120 ms here). It is imported on first
 * use, or by `warmUpUpstreamClient()` right after the server starts listening, so a pod becomes
 * ready without waiting for it; a request that arrives first waits for the same import.
 */

type Undici = typeof import('undici');

let undici: Promise<Undici> | undefined;

export function loadUndici(): Promise<Undici> {
  // Node's CommonJS interop names undici's exports; esbuild's bundle gives only `default`. Take either.
  return (undici ??= import('undici').then((module) => ('Pool' in module ? module : (module as { default: Undici }).default)));
}

/** Starts loading the upstream HTTP client in the background. */
export function warmUpUpstreamClient(): void {
  loadUndici().catch(() => undefined);
}
