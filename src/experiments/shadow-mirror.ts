/**
 * Shadow traffic: a sampled call of the route is sent again to the candidate pool once the real
 * answer is under way, off the caller's clock (the next tick, its own abort signal), and its
 * answer is thrown away. Its latency, errors, tokens and cost are counted as the `shadow` variant;
 * its usage goes to the ledger and the tenant's token budget like any call, and a process runs at
 * most `maxConcurrency` of them per experiment.
 */

import type { ChatCallRequest } from '../chat/chat-types.js';
import type { ModelRouter, RoutingHints } from '../models/model-router.js';
import type { UsageRecorder } from '../models/usage-recorder.js';
import type { Logger } from '../telemetry/logger.js';
import { shadowVariant, type ExperimentDefinition } from './experiment-definition.js';
import { assignedMetric } from './experiment-metrics.js';
import { VariantCallObservation } from './call-observation.js';
import type { StatsBuffer } from './stats-buffer.js';

export interface MirroredCall {
  readonly route: string;
  readonly request: ChatCallRequest;
  readonly hints: RoutingHints | undefined;
  readonly streamed: boolean;
  readonly tenant: string;
}

export class ShadowMirror {
  readonly #running = new Map<string, number>();
  readonly #router: Pick<ModelRouter, 'call' | 'stream'>;
  readonly #usage: Pick<UsageRecorder, 'record'>;
  readonly #buffer: StatsBuffer;
  readonly #logger: Pick<Logger, 'debug'>;
  readonly #controllers = new Set<AbortController>();
  /** Mirrors not started because the experiment's concurrency cap was reached. */
  skipped = 0;

  constructor(router: Pick<ModelRouter, 'call' | 'stream'>, usage: Pick<UsageRecorder, 'record'>, buffer: StatsBuffer, logger: Pick<Logger, 'debug'>) {
    this.#router = router;
    this.#usage = usage;
    this.#buffer = buffer;
    this.#logger = logger;
  }

  /** Mirrors the call on the next tick, unless the experiment already runs its most. */
  mirror(definition: ExperimentDefinition, call: MirroredCall): void {
    const cap = definition.config.shadow!.maxConcurrency;
    const running = this.#running.get(definition.name) ?? 0;
    if (running >= cap) {
      this.skipped++;
      return;
    }
    this.#running.set(definition.name, running + 1);
    setImmediate(() => {
      void this.#run(definition, call).finally(() => this.#running.set(definition.name, (this.#running.get(definition.name) ?? 1) - 1));
    });
  }

  /** Mirrored calls in flight now. */
  get inFlight(): number {
    let total = 0;
    for (const count of this.#running.values()) total += count;
    return total;
  }

  async #run(definition: ExperimentDefinition, call: MirroredCall): Promise<void> {
    const override = definition.variantsByName.get(shadowVariant)!.route!;
    const controller = new AbortController();
    this.#controllers.add(controller);
    this.#buffer.observe(definition.name, shadowVariant, assignedMetric, 1);
    const observation = new VariantCallObservation([{ definition, variant: shadowVariant }], this.#buffer, override.pool);
    try {
      if (call.streamed) {
        const { decision, parts } = this.#router.stream(call.route, call.request, controller.signal, call.hints, { override });
        for await (const part of parts) {
          observation.firstToken();
          if (part.type === 'finish') {
            observation.finished(decision, part.usage);
            observation.cost(this.#usage.record(call.tenant, decision, part.usage));
          }
        }
      } else {
        const { result, decision } = await this.#router.call(call.route, call.request, controller.signal, call.hints, { override });
        observation.firstToken();
        observation.finished(decision, result.usage);
        observation.cost(this.#usage.record(call.tenant, decision, result.usage));
      }
    } catch (error) {
      observation.failed(controller.signal.aborted);
      this.#logger.debug({ err: (error as Error).message, experiment: definition.name }, 'shadow call failed');
    } finally {
      this.#controllers.delete(controller);
    }
  }

  /** Aborts mirrored calls still running (the generation is closing). */
  close(): void {
    for (const controller of this.#controllers) controller.abort(new Error('the generation closed'));
  }
}
