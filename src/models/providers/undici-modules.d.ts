/** undici ships types only for its index; `undici-core.ts` imports its files by path and gives each its type there. */

declare module 'undici/lib/*' {
  const value: unknown;
  export default value;
}
