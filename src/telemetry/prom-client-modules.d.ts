/** prom-client ships types only for its index; `prom-client-core.ts` imports its files by path and gives each its type there. */

declare module 'prom-client/lib/*' {
  const value: unknown;
  export default value;
}
