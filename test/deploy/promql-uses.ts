/**
 * What a PromQL expression reads — each selector's metric and label matchers, and the labels it
 * groups or matches by — taken from Prometheus' own grammar (@prometheus-io/lezer-promql), so
 * dashboards and alert rules can be checked against a real server's /metrics.
 */

import { parser } from '@prometheus-io/lezer-promql';

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

export interface LabelMatcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

export interface Selector {
  metric: string;
  matchers: LabelMatcher[];
}

export interface PromqlUses {
  selectors: Selector[];
  /** Labels of `by`, `without`, `on` and `ignoring`, each with the selectors of the expression it groups. */
  groupings: { labels: string[]; selectors: Selector[] }[];
  /** Where the grammar found a syntax error; empty when the expression parses. */
  errors: string[];
}

/** Grafana's built-in interval variables, replaced by what they stand for at query time. */
export function expandGrafanaVariables(expression: string): string {
  return expression.replaceAll('$__rate_interval', '5m').replaceAll('$__interval', '1m').replaceAll('$__range', '1h');
}

function stringLiteral(text: string): string {
  if (text.startsWith('`')) return text.slice(1, -1);
  if (text.startsWith("'")) return JSON.parse(`"${text.slice(1, -1).replaceAll('"', '\\"')}"`) as string;
  return JSON.parse(text) as string;
}

function children(node: SyntaxNode, name: string): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) if (child.name === name) found.push(child);
  return found;
}

export function promqlUses(expression: string): PromqlUses {
  const tree = parser.parse(expression);
  const text = (node: SyntaxNode) => expression.slice(node.from, node.to);
  const uses: PromqlUses = { selectors: [], groupings: [], errors: [] };
  // Nodes are made anew on each visit: selectors are known by their span of the text.
  const selectorsAt = new Map<string, Selector>();

  const selector = (node: SyntaxNode): Selector => {
    const identifier = children(node, 'Identifier')[0];
    const matchers: LabelMatcher[] = [];
    for (const list of children(node, 'LabelMatchers')) {
      for (const matcher of list.getChildren('UnquotedLabelMatcher')) {
        const label = matcher.getChild('LabelName');
        const op = matcher.getChild('MatchOp');
        const value = matcher.getChild('StringLiteral');
        if (!label || !op || !value) {
          uses.errors.push(`incomplete matcher ${text(matcher)}`);
          continue;
        }
        matchers.push({ label: text(label), op: text(op) as LabelMatcher['op'], value: stringLiteral(text(value)) });
      }
      if (list.getChildren('QuotedLabelMatcher').length > 0) uses.errors.push(`quoted label names are not checked: ${text(list)}`);
    }
    if (!identifier) uses.errors.push(`a selector without a metric name: ${text(node)}`);
    return { metric: identifier ? text(identifier) : '', matchers };
  };

  /** The selectors under a node, in order. */
  const under = (node: SyntaxNode): Selector[] => {
    const found: Selector[] = [];
    const cursor = node.cursor();
    do {
      if (cursor.name === 'VectorSelector') found.push(selectorsAt.get(`${cursor.from}:${cursor.to}`)!);
    } while (cursor.next() && cursor.from < node.to);
    return found;
  };

  const cursor = tree.cursor();
  do {
    if (cursor.type.isError) uses.errors.push(`syntax error at ${cursor.from}: "${expression.slice(Math.max(0, cursor.from - 10), cursor.to + 10)}"`);
    if (cursor.name === 'VectorSelector') {
      const found = selector(cursor.node);
      selectorsAt.set(`${cursor.from}:${cursor.to}`, found);
      uses.selectors.push(found);
    }
  } while (cursor.next());

  const grouped = tree.cursor();
  do {
    const node = grouped.node;
    const modifier = node.name === 'AggregateExpr' ? node.getChild('AggregateModifier') : node.name === 'BinaryExpr' ? node.getChild('MatchingModifierClause') : null;
    const labels = modifier?.getChild('GroupingLabels')?.getChildren('LabelName').map(text);
    if (labels && labels.length > 0) uses.groupings.push({ labels, selectors: under(node) });
  } while (grouped.next());
  return uses;
}
