/** Idle on-demand Lambda environments by the time they went idle: newest at the tail (reused first), oldest at the head (expire first). */

export class IdleEnvironments {
  private idleSince = new Float64Array(1024);
  private head = 0;
  private tail = 0;

  get count(): number {
    return this.tail - this.head;
  }

  push(timeMs: number): void {
    if (this.tail === this.idleSince.length) {
      const live = this.idleSince.subarray(this.head, this.tail);
      const grown = new Float64Array(Math.max(1024, live.length * 2));
      grown.set(live);
      this.idleSince = grown;
      this.tail -= this.head;
      this.head = 0;
    }
    this.idleSince[this.tail++] = timeMs;
  }

  popNewest(): void {
    this.tail--;
  }

  /** Drops environments idle for `expiryMs` or more; returns how many. */
  expire(nowMs: number, expiryMs: number): number {
    let expired = 0;
    while (this.head < this.tail && this.idleSince[this.head]! + expiryMs <= nowMs) {
      this.head++;
      expired++;
    }
    return expired;
  }
}
