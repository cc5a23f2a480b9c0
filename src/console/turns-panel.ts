/** Recent turns with their stage waterfall: intent and its tier, the agent, model calls, tool calls (none until agents call tools). */

import { element, fill, formatNumber } from './dom.js';
import type { ConsoleSnapshot, TurnView } from './snapshot-types.js';

function waterfall(turn: TurnView): HTMLElement {
  const total = turn.stages.reduce((end, stage) => Math.max(end, stage.start_ms + stage.duration_ms), 0) || 1;
  return element(
    'div',
    { class: 'waterfall' },
    ...turn.stages.map((stage) =>
      element(
        'div',
        { class: 'stage-row' },
        element('span', { class: 'stage-name' }, stage.name),
        element('span', { class: 'stage-track' }, element('span', { class: `stage-bar stage-${stage.name}`, style: `left:${((stage.start_ms / total) * 100).toFixed(2)}%;width:${Math.max(0.5, (stage.duration_ms / total) * 100).toFixed(2)}%` })),
        element('span', { class: 'stage-ms' }, `${formatNumber(stage.duration_ms, 2)} ms`),
      ),
    ),
  );
}

function details(turn: TurnView): HTMLElement {
  const calls = turn.model_calls.map((call) => `${call.route} → ${call.pool} (${call.instance}), rule ${call.rule}, ${call.attempts} attempt(s), ${call.prompt_tokens} + ${call.completion_tokens} tokens`);
  const tools = turn.tool_calls.length === 0 ? 'none' : turn.tool_calls.map((tool) => `${tool.name} ${formatNumber(tool.duration_ms)} ms`).join(', ');
  return element(
    'ul',
    { class: 'turn-details' },
    element('li', {}, `intent ${turn.intent.name} (${formatNumber(turn.intent.confidence, 2)}, tier ${turn.intent.tier}) → agent ${turn.agent}`),
    element('li', {}, `model calls: ${calls.join('; ') || 'none'}`),
    element('li', {}, `tool calls: ${tools}`),
    turn.experiments.length > 0 && element('li', {}, `experiments: ${turn.experiments.map((one) => `${one.experiment}=${one.variant}`).join(', ')}`),
  );
}

export class TurnsPanel {
  readonly #body: HTMLElement;

  constructor(root: HTMLElement) {
    this.#body = element('div');
    root.append(element('h2', {}, 'Recent turns'), this.#body);
  }

  update(snapshot: ConsoleSnapshot): void {
    const turns = snapshot.turns.slice(0, 8);
    fill(
      this.#body,
      turns.length === 0 && element('p', { class: 'note' }, 'No turns yet.'),
      ...turns.map((turn) =>
        element(
          'article',
          { class: 'turn', 'data-turn': turn.turn_id },
          element('h3', {}, `${new Date(turn.at).toISOString().slice(11, 23)} · ${turn.tenant} · session ${turn.session_id.slice(0, 8)} · ${turn.status}`),
          details(turn),
          waterfall(turn),
        ),
      ),
    );
  }
}
