/** Plain-text tables and number formatting for the planner's terminal output. */

export type Alignment = 'left' | 'right';

/** Lays out rows under headers; numbers-looking columns are right-aligned unless told otherwise. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], alignments?: readonly Alignment[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const alignmentOf = (column: number): Alignment => alignments?.[column] ?? (column === 0 ? 'left' : 'right');
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (alignmentOf(column) === 'left' ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/** A number with thousands separators and a fixed count of decimals. */
export function formatNumber(value: number, decimals = 0): string {
  if (!Number.isFinite(value)) return value > 0 ? '∞' : value < 0 ? '-∞' : 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** Dollars: cents below $100, whole dollars above. */
export function formatUsd(value: number | null): string {
  if (value === null) return 'n/a';
  if (value !== 0 && Math.abs(value) < 0.01) return `$${value.toFixed(4)}`;
  return Math.abs(value) < 100 ? `$${formatNumber(value, 2)}` : `$${formatNumber(value, 0)}`;
}

/** Milliseconds as ms below a second, seconds below ten minutes, else minutes. */
export function formatDurationMs(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (Math.abs(value) < 1000) return `${formatNumber(value, 0)} ms`;
  if (Math.abs(value) < 600_000) return `${formatNumber(value / 1000, 1)} s`;
  return `${formatNumber(value / 60_000, 1)} min`;
}

export function formatPercent(fraction: number, decimals = 1): string {
  return `${formatNumber(fraction * 100, decimals)}%`;
}

/** Rounds for JSON output so that reports stay readable and stable. */
export function round(value: number, decimals = 3): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
