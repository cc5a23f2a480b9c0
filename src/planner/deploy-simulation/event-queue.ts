/**
 * The discrete-event simulation's clock: a binary min-heap of (time, kind, two integer
 * payloads), ordered by time and then by insertion, so equal-time events run first-in
 * first-out and every run is deterministic. Events live in parallel arrays, not objects.
 */

export class EventQueue {
  private times: number[] = [];
  private sequence: number[] = [];
  private kinds: number[] = [];
  private first: number[] = [];
  private second: number[] = [];
  private nextSequence = 0;

  /** The event `pop` last returned. */
  time = 0;
  kind = 0;
  payload = 0;
  payload2 = 0;

  get size(): number {
    return this.times.length;
  }

  /** Time of the earliest event, or Infinity when empty. */
  peekTime(): number {
    return this.times.length > 0 ? this.times[0]! : Infinity;
  }

  push(time: number, kind: number, payload = 0, payload2 = 0): void {
    if (!Number.isFinite(time)) throw new Error(`event time must be finite, got ${time}`);
    let index = this.times.length;
    this.times.push(time);
    this.sequence.push(this.nextSequence++);
    this.kinds.push(kind);
    this.first.push(payload);
    this.second.push(payload2);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(index, parent)) break;
      this.swap(index, parent);
      index = parent;
    }
  }

  /** Moves the earliest event into `time`, `kind`, `payload`, `payload2`; false when empty. */
  pop(): boolean {
    const count = this.times.length;
    if (count === 0) return false;
    this.time = this.times[0]!;
    this.kind = this.kinds[0]!;
    this.payload = this.first[0]!;
    this.payload2 = this.second[0]!;
    const last = count - 1;
    if (last > 0) this.swap(0, last);
    this.times.pop();
    this.sequence.pop();
    this.kinds.pop();
    this.first.pop();
    this.second.pop();
    let index = 0;
    const size = last;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && this.before(right, left) ? right : left;
      if (!this.before(child, index)) break;
      this.swap(index, child);
      index = child;
    }
    return true;
  }

  private before(left: number, right: number): boolean {
    const leftTime = this.times[left]!;
    const rightTime = this.times[right]!;
    return leftTime < rightTime || (leftTime === rightTime && this.sequence[left]! < this.sequence[right]!);
  }

  private swap(left: number, right: number): void {
    swapIn(this.times, left, right);
    swapIn(this.sequence, left, right);
    swapIn(this.kinds, left, right);
    swapIn(this.first, left, right);
    swapIn(this.second, left, right);
  }
}

function swapIn(values: number[], left: number, right: number): void {
  const held = values[left]!;
  values[left] = values[right]!;
  values[right] = held;
}
