/** Bills a cluster's node-seconds as its node count changes: all of them, and those above the always-on baseline within the cost window. */

export class NodeCostMeter {
  nodeSeconds = 0;
  /** What the simulated event adds to the bill: node-seconds above the baseline, up to the end of the cost window. */
  extraNodeSeconds = 0;
  private lastMs = 0;

  constructor(
    readonly baselineNodes: number,
    private readonly windowEndMs: number,
  ) {}

  /** Bills `nodes` from the previous call until `nowMs`; call it before the count changes, and once at the end. */
  account(nowMs: number, nodes: number): void {
    const elapsed = nowMs - this.lastMs;
    if (elapsed <= 0) return;
    this.nodeSeconds += (elapsed * nodes) / 1000;
    const windowElapsed = Math.max(0, Math.min(nowMs, this.windowEndMs) - this.lastMs);
    this.extraNodeSeconds += (windowElapsed * Math.max(0, nodes - this.baselineNodes)) / 1000;
    this.lastMs = nowMs;
  }
}
