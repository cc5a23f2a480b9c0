/** Cross-checks of the experiments section: names it refers to exist, weights sum to 1, layers and overlapping experiments agree. */

import type { z } from 'zod';
import type { ConfigObject } from './config-object-schema.js';
import { namesOf, unknownName, type ConfigNames } from './config-names.js';

type Experiment = ConfigObject['experiments'][string];

const weightTolerance = 1e-9;

/** The fields a variant changes, besides its weight. */
function overriddenFields(experiment: Experiment): Set<string> {
  const fields = new Set<string>();
  for (const variant of Object.values(experiment.variants)) {
    for (const [field, value] of Object.entries(variant)) if (field !== 'weight' && value !== undefined) fields.add(field === 'fallbacks' ? 'pool' : field);
  }
  return fields;
}

/** Whether some turn or completion could fall in both experiments. */
function scopesOverlap(config: ConfigObject, left: Experiment, right: Experiment): boolean {
  if (left.routes.some((route) => right.routes.includes(route))) return true;
  for (const [name, agent] of Object.entries(config.agents)) {
    const inLeft = left.agents.includes(name) || left.routes.includes(agent.route);
    const inRight = right.agents.includes(name) || right.routes.includes(agent.route);
    if (inLeft && inRight) return true;
  }
  return false;
}

function checkOne(config: ConfigObject, names: ConfigNames, name: string, experiment: Experiment, context: z.RefinementCtx): void {
  const path = ['experiments', name];
  const issue = (at: (string | number)[], message: string) => context.addIssue({ code: 'custom', path: [...path, ...at], message });
  if (experiment.routes.length === 0 && experiment.agents.length === 0) issue(['routes'], 'an experiment applies to at least one route or agent');
  experiment.routes.forEach((route, index) => {
    if (!names.route.has(route)) issue(['routes', index], unknownName('route', route, names));
  });
  experiment.agents.forEach((agent, index) => {
    if (!names.agent.has(agent)) issue(['agents', index], unknownName('agent', agent, names));
  });
  const variantNames = Object.keys(experiment.variants);
  if (experiment.shadow) {
    if (variantNames.length > 0) issue(['variants'], 'a shadow experiment has no variants: it compares the live pool with shadow.pool');
    if (!names.pool.has(experiment.shadow.pool)) issue(['shadow', 'pool'], unknownName('pool', experiment.shadow.pool, names));
    if (experiment.ramp) issue(['ramp'], 'a shadow experiment has no ramp');
    if (experiment.bandit) issue(['bandit'], 'a shadow experiment has no bandit');
    if (experiment.control !== undefined) issue(['control'], 'a shadow experiment\'s control is always the live pool');
    return;
  }
  if (variantNames.length < 2) {
    issue(['variants'], 'an experiment needs at least two variants (or a shadow)');
    return;
  }
  const total = Object.values(experiment.variants).reduce((sum, variant) => sum + variant.weight, 0);
  if (Math.abs(total - 1) > weightTolerance) issue(['variants'], `the variants' weights sum to ${Number(total.toFixed(12))}; they must sum to 1`);
  if (experiment.control !== undefined && !variantNames.includes(experiment.control)) issue(['control'], `unknown variant "${experiment.control}"`);
  for (const [variantName, variant] of Object.entries(experiment.variants)) {
    const at = ['variants', variantName];
    if (variant.pool !== undefined && !names.pool.has(variant.pool)) issue([...at, 'pool'], unknownName('pool', variant.pool, names));
    variant.fallbacks?.forEach((pool, index) => {
      if (!names.pool.has(pool)) issue([...at, 'fallbacks', index], unknownName('pool', pool, names));
    });
    if (variant.fallbacks !== undefined && variant.pool === undefined) issue([...at, 'fallbacks'], 'fallbacks need a pool');
    if (variant.agent !== undefined) {
      if (!names.agent.has(variant.agent)) issue([...at, 'agent'], unknownName('agent', variant.agent, names));
      if (experiment.routes.length > 0) issue([...at, 'agent'], 'a variant that changes the agent applies to turns only: give the experiment agents, not routes');
    }
  }
  const control = experiment.control ?? variantNames[0]!;
  if (experiment.ramp) {
    if (experiment.bandit) issue(['bandit'], 'an experiment ramps or runs a bandit, not both');
    if (variantNames.length !== 2) issue(['ramp'], 'a ramp rolls out one variant against the control: the experiment has exactly two variants');
    if (!variantNames.includes(experiment.ramp.variant)) issue(['ramp', 'variant'], `unknown variant "${experiment.ramp.variant}"`);
    else if (experiment.ramp.variant === control) issue(['ramp', 'variant'], 'the ramped variant is not the control');
    experiment.ramp.steps.forEach((step, index) => {
      if (index > 0 && step <= experiment.ramp!.steps[index - 1]!) issue(['ramp', 'steps', index], 'steps must increase');
    });
  }
  experiment.guardrails.forEach((guardrail, index) => {
    if (guardrail.maxIncrease !== undefined && /_p[0-9.]+_ms$/.test(guardrail.metric)) issue(['guardrails', index, 'maxIncrease'], 'a quantile guardrail takes max (an absolute limit)');
    if (guardrail.min !== undefined && /_p[0-9.]+_ms$/.test(guardrail.metric)) issue(['guardrails', index, 'min'], 'a quantile guardrail takes max (an absolute limit)');
  });
}

export function checkExperimentReferences(config: ConfigObject, context: z.RefinementCtx, names: ConfigNames = namesOf(config)): void {
  const entries = Object.entries(config.experiments);
  for (const [name, experiment] of entries) checkOne(config, names, name, experiment, context);
  const layers = new Map<string, { unit: string; traffic: number; first: string }>();
  for (const [name, experiment] of entries) {
    if (experiment.layer === undefined) continue;
    const layer = layers.get(experiment.layer);
    if (!layer) {
      layers.set(experiment.layer, { unit: experiment.unit, traffic: experiment.traffic, first: name });
      continue;
    }
    if (layer.unit !== experiment.unit) {
      context.addIssue({ code: 'custom', path: ['experiments', name, 'unit'], message: `experiments of layer "${experiment.layer}" share one unit ("${layer.first}" uses ${layer.unit})` });
    }
    layer.traffic += experiment.traffic;
    if (layer.traffic > 1 + weightTolerance) {
      context.addIssue({ code: 'custom', path: ['experiments', name, 'traffic'], message: `the traffic of layer "${experiment.layer}" sums past 1` });
    }
  }
  for (let left = 0; left < entries.length; left++) {
    for (let right = left + 1; right < entries.length; right++) {
      const [leftName, leftExperiment] = entries[left]!;
      const [rightName, rightExperiment] = entries[right]!;
      if (leftExperiment.layer !== undefined && leftExperiment.layer === rightExperiment.layer) continue;
      const shared = [...overriddenFields(leftExperiment)].filter((field) => overriddenFields(rightExperiment).has(field));
      if (shared.length === 0 || !scopesOverlap(config, leftExperiment, rightExperiment)) continue;
      context.addIssue({
        code: 'custom',
        path: ['experiments', rightName, 'layer'],
        message: `"${leftName}" and "${rightName}" both change ${shared.join(', ')} on overlapping traffic: put them in one layer so no unit is in both`,
      });
    }
  }
}
