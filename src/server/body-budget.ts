/**
 * The bytes all request bodies still being read may hold together. Each body reserves its declared
 * length before a byte is buffered (or its chunks as they come, when no length is declared), so a
 * crowd of peers that send part of a body and stop cannot grow the process past the budget.
 */

export class BodyBudget {
  #reserved = 0;
  #peak = 0;

  constructor(readonly limitBytes: number) {}

  /** Bytes reserved by bodies being read now. */
  get reserved(): number {
    return this.#reserved;
  }

  /** The most ever reserved at once. */
  get peak(): number {
    return this.#peak;
  }

  /** Reserves `bytes`; false (nothing reserved) when they do not fit. */
  tryReserve(bytes: number): boolean {
    if (this.#reserved + bytes > this.limitBytes) return false;
    this.#reserved += bytes;
    if (this.#reserved > this.#peak) this.#peak = this.#reserved;
    return true;
  }

  release(bytes: number): void {
    this.#reserved -= bytes;
  }
}
