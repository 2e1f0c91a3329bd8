/** Number formats shared by the report's tables. */

/** A rate in [0, 1] as a percentage with two decimals (`-` when not finite). */
export const pct = (x: number): string => (Number.isFinite(x) ? (100 * x).toFixed(2) : '-');

/** A p-value: `<1e-4`, four decimals below 0.01, else three (`-` when not finite). */
export const fmtP = (p: number): string => (!Number.isFinite(p) ? '-' : p < 1e-4 ? '<1e-4' : p < 0.01 ? p.toFixed(4) : p.toFixed(3));
