/** Times one request's stages: milliseconds per stage in order (for the reply and `Server-Timing`) and the stage histogram. */

export type StageObserver = (stage: string, seconds: number) => void;

/**
 * Whole microseconds as the milliseconds `String(micros / 1000)` would print (`12.3`, `0.05`, `7`):
 * the same text from integer formatting, which is cheaper than printing a double's shortest form.
 */
export function millisecondsText(micros: number): string {
  if (!Number.isSafeInteger(micros) || micros < 0) return String(micros / 1000);
  const whole = Math.floor(micros / 1000);
  let fraction = micros - whole * 1000;
  if (fraction === 0) return String(whole);
  let digits = 3;
  while (fraction % 10 === 0) {
    fraction /= 10;
    digits--;
  }
  const fractionText = String(fraction);
  return `${whole}.${fractionText.length === digits ? fractionText : '0'.repeat(digits - fractionText.length) + fractionText}`;
}

export class StageTimer {
  /** The stage names in the order first recorded, and each one's last time in whole microseconds. */
  readonly #order: string[] = [];
  readonly #micros: number[] = [];
  /** Made on first read (a chat completion never reads it) and kept up to date from then on. */
  #timings: Record<string, number> | undefined;
  readonly #observe: StageObserver;

  constructor(observe: StageObserver) {
    this.#observe = observe;
  }

  /** Milliseconds per stage, rounded to microseconds, in the order the stages ran. */
  get timings(): Record<string, number> {
    if (this.#timings === undefined) {
      const timings: Record<string, number> = {};
      for (let index = 0; index < this.#order.length; index++) timings[this.#order[index]!] = this.#micros[index]! / 1000;
      this.#timings = timings;
    }
    return this.#timings;
  }

  /** Records a stage that took `elapsedMs`. */
  record(stage: string, elapsedMs: number): void {
    const micros = Math.round(elapsedMs * 1000);
    let index = this.#order.indexOf(stage);
    if (index === -1) index = this.#order.push(stage) - 1;
    this.#micros[index] = micros;
    if (this.#timings !== undefined) this.#timings[stage] = micros / 1000;
    this.#observe(stage, elapsedMs / 1000);
  }

  /** The `Server-Timing` header value for the stages recorded so far. */
  serverTiming(): string {
    let header = '';
    for (let index = 0; index < this.#order.length; index++) {
      header += `${index === 0 ? '' : ', '}${this.#order[index]!};dur=${millisecondsText(this.#micros[index]!)}`;
    }
    return header;
  }
}
