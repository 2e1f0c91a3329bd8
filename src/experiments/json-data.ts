/** Plain JSON data (experiment sections, presets, flags): deep clone and deep merge. */

/** Deep clone of JSON-like data. */
export function cloneJson<T>(x: T): T {
  return x === undefined ? x : (JSON.parse(JSON.stringify(x)) as T);
}

/** Deep-merges plain objects of `over` into a copy of `base` (arrays and scalars are replaced). */
export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = cloneJson(base);
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    if (v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)) {
      out[k] = deepMerge(b as Record<string, unknown>, v as Record<string, unknown>);
    } else out[k] = cloneJson(v);
  }
  return out;
}
