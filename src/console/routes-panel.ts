/** Routes and their rules: which pools a call goes to, and when. */

import { element, fill, table } from './dom.js';
import type { ConsoleSnapshot } from './snapshot-types.js';

function conditions(when: Record<string, unknown>): string {
  const parts = Object.entries(when).map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join(', ') : String(value)}`);
  return parts.length === 0 ? 'always' : parts.join('; ');
}

export class RoutesPanel {
  readonly #body: HTMLElement;
  #shown = '';

  constructor(root: HTMLElement) {
    this.#body = element('div');
    root.append(element('h2', {}, 'Routes and rules'), this.#body);
  }

  update(snapshot: ConsoleSnapshot): void {
    // Routes change only on a reload: rebuild only then, so a reader's selection survives polls.
    const key = `${snapshot.generation}`;
    if (key === this.#shown) return;
    this.#shown = key;
    const rows = snapshot.routes.flatMap((route) => [
      ...route.rules.map((rule) => [route.name, rule.name, conditions(rule.when), [rule.pool, ...rule.fallbacks].join(' → ')]),
      [route.name, 'default', 'otherwise', [route.pool, ...route.fallbacks].join(' → ')],
    ]);
    fill(this.#body, element('p', { class: 'note' }, `config generation ${snapshot.generation}`), table(['route', 'rule', 'when', 'pools (fallbacks in order)'], rows, { 'data-testid': 'routes-table' }));
  }
}
