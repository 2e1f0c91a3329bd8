/** Text formatting for the command line: percentages, durations, aligned tables. */

/** `0.0412` -> `4.12%`; NaN -> `-`. */
export function pct(x: number, digits = 2): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(digits)}%` : '-';
}

/** Seconds as `42s`, `3m05s`, `1h02m`. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A p-value for people: `<1e-4`, `0.0032`, `0.41`. */
export function pValue(p: number): string {
  if (!Number.isFinite(p)) return '-';
  if (p < 1e-4) return '<1e-4';
  return p < 0.01 ? p.toFixed(4) : p.toFixed(2);
}

/** Left-aligned columns separated by two spaces, header underlined. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((c, i) => (c ?? '').padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
