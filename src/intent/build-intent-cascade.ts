/** Builds the configured cascade once per config generation: tier objects, their gates, and the example vectors of the embedding tier. */

import type { SwitchboardConfig } from '../config/config-schema.js';
import type { ModelRouter } from '../models/model-router.js';
import { routeEmbedder } from '../models/route-embedder.js';
import type { EmbeddingCache } from '../stores/store-types.js';
import { EmbeddingIntentClassifier } from './embedding-intent-classifier.js';
import { FollowUpClassifier } from './follow-up-classifier.js';
import { outOfScopeLabel, type IntentClassifier } from './intent-classifier.js';
import { LlmIntentClassifier } from './llm-intent-classifier.js';
import { RuleIntentClassifier } from './rule-intent-classifier.js';
import { TieredIntentClassifier, type CascadeGates, type CascadeObserver, type GatedTier } from './tiered-intent-classifier.js';
import { TrainedIntentClassifier, type TrainingClass } from './trained-intent-classifier.js';

export interface IntentCascadeDependencies {
  /** Needed by the embedding and LLM tiers. */
  router?: Pick<ModelRouter, 'call' | 'embed'>;
  /** Where the embedding tier keeps example vectors. */
  embeddings?: EmbeddingCache;
  observer?: CascadeObserver;
  /** Told when a tier cannot start or a call fails; the tier then has no opinion. */
  warn?: (message: string, error: unknown) => void;
  clock?: () => number;
  /** Replaces the configured gates (the eval's fitted values). */
  gates?: CascadeGates;
}

/** Each agent's examples, and the out-of-scope examples as class `none`. */
export function trainingClasses(config: SwitchboardConfig): TrainingClass[] {
  const classes: TrainingClass[] = Object.entries(config.agents).map(([name, agent]) => ({ agent: name, intent: agent.intent ?? name, examples: agent.examples }));
  classes.push({ agent: outOfScopeLabel, intent: outOfScopeLabel, examples: config.intent.outOfScope.examples });
  return classes;
}

/** The gates the config sets, for the tiers that are on. */
export function configuredGates(config: SwitchboardConfig): CascadeGates {
  const { tiers, threshold } = config.intent;
  const gates: CascadeGates = {};
  if (tiers.followUp) gates['follow-up'] = { threshold: tiers.followUp.threshold, margin: tiers.followUp.margin };
  if (tiers.rules) gates.rules = { threshold: tiers.rules.threshold ?? threshold, margin: tiers.rules.margin };
  if (tiers.trained) gates.trained = { threshold: tiers.trained.threshold, margin: tiers.trained.margin };
  if (tiers.embedding) gates.embedding = { threshold: tiers.embedding.threshold, margin: tiers.embedding.margin };
  if (tiers.llm) gates.llm = { threshold: tiers.llm.threshold, margin: tiers.llm.margin };
  return gates;
}

/** The model a route's vectors come from: vectors of two models are not comparable, so the cache is keyed by it. */
function embeddingModel(config: SwitchboardConfig, route: string): string {
  const pool = config.routes[route]?.pool;
  const model = pool === undefined ? undefined : config.pools[pool]?.model;
  return `${route}/${model ?? ''}`;
}

export interface BuiltIntentCascade {
  cascade: TieredIntentClassifier;
  /**
   * Loads the embedding tier's example vectors from the cache, embedding the missing ones; until it has,
   * that tier has no opinion. When they cannot be had, `warn` says why and the tier stays silent.
   */
  prepare(signal?: AbortSignal): Promise<void>;
}

/** The cascade of `config`; call `prepare()` before the first turn. */
export function buildIntentCascade(config: SwitchboardConfig, dependencies: IntentCascadeDependencies = {}): BuiltIntentCascade {
  const { tiers: settings } = config.intent;
  const classes = trainingClasses(config);
  const rules = new RuleIntentClassifier(config.agents);
  const tiers: Partial<Record<GatedTier, IntentClassifier>> = {};
  let prepare: BuiltIntentCascade['prepare'] = async () => {};
  const intents = new Map(Object.entries(config.agents).map(([name, agent]) => [name, agent.intent ?? name]));
  if (settings.followUp) tiers['follow-up'] = new FollowUpClassifier(intents, rules);
  if (settings.rules) tiers.rules = rules;
  if (settings.trained) tiers.trained = new TrainedIntentClassifier(classes);
  if (settings.embedding || settings.llm) {
    if (!dependencies.router) throw new TypeError('buildIntentCascade: the embedding and LLM tiers need a router');
  }
  if (settings.embedding && dependencies.router) {
    if (!dependencies.embeddings) throw new TypeError('buildIntentCascade: the embedding tier needs the store\'s embedding cache');
    const embedding = new EmbeddingIntentClassifier(classes, {
      embedder: routeEmbedder(dependencies.router, settings.embedding.route),
      model: embeddingModel(config, settings.embedding.route),
      cache: dependencies.embeddings,
      topK: settings.embedding.topK,
    });
    tiers.embedding = embedding;
    prepare = async (signal) => {
      try {
        await embedding.prepare(signal);
      } catch (error) {
        dependencies.warn?.('the embedding intent tier is silent for this config: its example vectors could not be loaded or computed', error);
      }
    };
  }
  if (settings.llm && dependencies.router) {
    const agents = Object.entries(config.agents).map(([name, agent]) => ({ name, intent: agent.intent ?? name, description: agent.description }));
    tiers.llm = new LlmIntentClassifier(agents, {
      router: dependencies.router,
      route: settings.llm.route,
      timeoutMs: settings.llm.timeoutMs,
      cacheSize: settings.llm.cacheSize,
      maxTokens: settings.llm.maxTokens,
      onFailure: (error) => dependencies.warn?.('the LLM intent tier had no answer', error),
    });
  }
  const cascade = new TieredIntentClassifier({
    agents: config.agents,
    settings: config.intent,
    tiers,
    gates: dependencies.gates ?? configuredGates(config),
    observer: dependencies.observer,
    clock: dependencies.clock,
  });
  return { cascade, prepare };
}
