/** Reads Prometheus' text exposition format into what each exposed series name carries: its label names, the values seen, and its family's HELP. */

export interface ExposedMetric {
  help: string;
  /** Label name → every value seen on a series of this name. */
  labels: Map<string, Set<string>>;
}

const seriesLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+\S+/;
const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
const histogramSuffix = /_(bucket|sum|count)$/;

/** Only names with at least one series: a labelled counter nobody incremented yet is not there. */
export function parseExposition(text: string): Map<string, ExposedMetric> {
  const help = new Map<string, string>();
  const metrics = new Map<string, ExposedMetric>();
  for (const line of text.split('\n')) {
    const helpLine = /^# HELP (\S+) (.*)$/.exec(line);
    if (helpLine) help.set(helpLine[1]!, helpLine[2]!);
    if (line.startsWith('#') || line.trim() === '') continue;
    const match = seriesLine.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const name = match[1]!;
    let metric = metrics.get(name);
    if (!metric) metrics.set(name, (metric = { help: help.get(name) ?? help.get(name.replace(histogramSuffix, '')) ?? '', labels: new Map() }));
    for (const [, label, value] of (match[2] ?? '').matchAll(labelPair)) {
      let values = metric.labels.get(label!);
      if (!values) metric.labels.set(label!, (values = new Set()));
      values.add(JSON.parse(`"${value}"`) as string);
    }
  }
  return metrics;
}
