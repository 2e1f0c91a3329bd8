/**
 * A trial's result names files by path (`checkpoint`: its final network) in the directory it ran
 * in; a queue worker ran it in its own work dir, so the coordinator moves those paths to the
 * store's checkpoint directory, where the runner writes the files: the record is then the one the
 * local pool writes.
 */

/** `value` with every string that starts with `from` + separator rewritten to start with `to` (a deep copy of what changed). */
export function relocatePaths<T>(value: T, from: string, to: string): T {
  const move = (v: unknown): unknown => {
    if (typeof v === 'string') return v === from ? to : v.startsWith(`${from}/`) || v.startsWith(`${from}\\`) ? to + v.slice(from.length) : v;
    if (Array.isArray(v)) return v.map(move);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, move(x)]));
    return v;
  };
  return move(value) as T;
}
