/** Bills a function's invocations: duration, init included, at 1 ms granularity per GB of memory, on-demand and provisioned apart. */

export class LambdaCostMeter {
  /** Invocations that ran (throttled attempts are not invocations). */
  invocations = 0;
  /** Billed duration on on-demand environments, init included, in GB-seconds. */
  onDemandGbSeconds = 0;
  /** Of which initialisation (unrounded). */
  initGbSeconds = 0;
  /** Billed duration of invocations on provisioned environments, in GB-seconds. */
  provisionedInvocationGbSeconds = 0;
  private readonly gigabytes: number;

  constructor(memoryMb: number) {
    this.gigabytes = memoryMb / 1024;
  }

  /** One invocation of `durationMs` in all, `initMs` of it initialisation. */
  bill(initMs: number, durationMs: number, provisioned: boolean): void {
    this.invocations++;
    const billed = (Math.ceil(durationMs) / 1000) * this.gigabytes;
    if (provisioned) this.provisionedInvocationGbSeconds += billed;
    else {
      this.onDemandGbSeconds += billed;
      this.initGbSeconds += (initMs / 1000) * this.gigabytes;
    }
  }
}
