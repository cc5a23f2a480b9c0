/** A small element builder: the page's panels are plain DOM, rebuilt from each snapshot. */

type Child = Node | string | number | null | undefined | false;

export function element<Tag extends keyof HTMLElementTagNameMap>(tag: Tag, attributes: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[Tag] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(typeof child === 'number' ? String(child) : child);
  return node;
}

/** A table from a header row and data rows. */
export function table(headers: readonly string[], rows: readonly Child[][], attributes: Record<string, string> = {}): HTMLTableElement {
  return element(
    'table',
    attributes,
    element('thead', {}, element('tr', {}, ...headers.map((header) => element('th', {}, header)))),
    element('tbody', {}, ...rows.map((row) => element('tr', {}, ...row.map((cell) => element('td', {}, cell))))),
  );
}

export function formatNumber(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** Replaces a container's children. */
export function fill(container: Element, ...children: Child[]): void {
  container.replaceChildren(...children.filter((child): child is Node | string | number => child !== null && child !== undefined && child !== false).map((child) => (typeof child === 'number' ? String(child) : child)));
}
