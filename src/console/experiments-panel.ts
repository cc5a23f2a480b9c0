/** Experiments: variants, weights, intervals, the decision, and stop / promote / ramp actions over the admin routes. */

import { element, fill, formatNumber, table } from './dom.js';
import type { ConsoleSnapshot, ExperimentView } from './snapshot-types.js';

/** The decision in words: its kind, variant and reason when it has them. */
function decisionText(decision: unknown): string {
  if (typeof decision !== 'object' || decision === null) return String(decision);
  const { kind, variant, reason } = decision as { kind?: unknown; variant?: unknown; reason?: unknown };
  if (typeof kind !== 'string') return JSON.stringify(decision);
  return [kind, typeof variant === 'string' ? variant : '', typeof reason === 'string' ? `— ${reason}` : ''].filter(Boolean).join(' ');
}

export type AdminAction = (path: string, body: unknown) => Promise<void>;

export class ExperimentsPanel {
  readonly #body: HTMLElement;
  readonly #act: AdminAction;

  constructor(root: HTMLElement, act: AdminAction) {
    this.#body = element('div');
    this.#act = act;
    root.append(element('h2', {}, 'Experiments'), this.#body);
  }

  #button(label: string, path: string, body: unknown, confirmText: string): HTMLButtonElement {
    const button = element('button', { type: 'button', 'data-action': path }, label);
    button.addEventListener('click', () => {
      if (!window.confirm(confirmText)) return;
      button.disabled = true;
      void this.#act(path, body).finally(() => (button.disabled = false));
    });
    return button;
  }

  #experiment(experiment: ExperimentView): HTMLElement {
    const path = `/v1/experiments/${encodeURIComponent(experiment.name)}`;
    const running = experiment.status === 'running';
    const challengers = experiment.variants.filter((variant) => variant.name !== experiment.control);
    return element(
      'section',
      { class: 'experiment', 'data-experiment': experiment.name },
      element('h3', {}, `${experiment.name} `, element('small', { 'data-testid': `experiment-status-${experiment.name}` }, experiment.status), element('small', {}, ` · ${experiment.mode} · control ${experiment.control}`)),
      table(
        ['variant', 'weight', 'active', 'requests'],
        experiment.variants.map((variant) => [variant.name, formatNumber(variant.weight, 3), variant.active ? 'yes' : 'no', variant.requests]),
      ),
      experiment.comparisons.length > 0 &&
        table(
          ['variant', 'vs', 'metric', 'difference', 'interval', 'significant'],
          experiment.comparisons.map((comparison) => [comparison.variant, comparison.against, comparison.metric, formatNumber(comparison.difference, 4), `[${formatNumber(comparison.interval[0], 4)}, ${formatNumber(comparison.interval[1], 4)}]`, comparison.significant ? 'yes' : 'no']),
        ),
      element('p', { class: 'note', 'data-testid': `experiment-decision-${experiment.name}` }, `decision: ${decisionText(experiment.decision)}`),
      experiment.ramp && element('p', { class: 'note' }, `ramp of ${experiment.ramp.variant}: step ${experiment.ramp.step + 1} of ${experiment.ramp.steps.length} (${experiment.ramp.status})`),
      running &&
        element(
          'div',
          { class: 'actions' },
          this.#button('Stop', `${path}/stop`, { reason: 'stopped from the console' }, `Stop experiment ${experiment.name}? Its traffic goes back to ${experiment.control}.`),
          ...challengers.map((variant) => this.#button(`Promote ${variant.name}`, `${path}/promote`, { variant: variant.name }, `Promote ${variant.name} to all traffic?`)),
          experiment.ramp && this.#button('Next ramp step', `${path}/ramp`, { step: experiment.ramp.step + 1 }, 'Move the ramp to its next step?'),
        ),
    );
  }

  update(snapshot: ConsoleSnapshot): void {
    fill(this.#body, snapshot.experiments.length === 0 && element('p', { class: 'note' }, 'No experiments configured.'), ...snapshot.experiments.map((experiment) => this.#experiment(experiment)));
  }
}
