/** Times one request's stages: milliseconds per stage in order (for the reply and `Server-Timing`) and the stage histogram. */

export type StageObserver = (stage: string, seconds: number) => void;

export class StageTimer {
  /** Milliseconds per stage, rounded to microseconds, in the order the stages ran. */
  readonly timings: Record<string, number> = {};
  /** The stage names in the order first recorded: the header walks this, not the object's keys (a for-in over a growing object is slow). */
  readonly #order: string[] = [];
  readonly #observe: StageObserver;

  constructor(observe: StageObserver) {
    this.#observe = observe;
  }

  /** Records a stage that took `elapsedMs`. */
  record(stage: string, elapsedMs: number): void {
    if (this.timings[stage] === undefined) this.#order.push(stage);
    this.timings[stage] = Math.round(elapsedMs * 1000) / 1000;
    this.#observe(stage, elapsedMs / 1000);
  }

  /** The `Server-Timing` header value for the stages recorded so far. */
  serverTiming(): string {
    let header = '';
    for (let index = 0; index < this.#order.length; index++) {
      const stage = this.#order[index]!;
      header += `${index === 0 ? '' : ', '}${stage};dur=${this.timings[stage]}`;
    }
    return header;
  }
}
