/**
 * Isomap's geodesic distances over ONE connected neighbour graph (Erhan et al. 2010, Fig. 6,
 * footnote 10: "Isomap ... with one connected component"; Tenenbaum et al. 2000): the symmetric
 * k-nearest-neighbour graph of the points, its components joined by their shortest connecting
 * edges (one at a time, the closest pair between the component of point 0 and the rest, as
 * scikit-learn's Isomap does), then the shortest-path length between every pair (Dijkstra from
 * every point). druidjs's own ISOMAP cannot join components: it replaces an infinite path by ten
 * times the longest finite one, which collapses a group that is its own component onto a point,
 * and groups that never meet are exactly what Figure 6 is about. The caller embeds the result
 * with classical MDS (druidjs `MDS`, metric `precomputed`).
 */

/** `[n, n]` geodesic distances between the rows of `x` (`[n, dim]` row-major) over the k-NN graph; see the module comment. */
export function geodesicDistances(x: ArrayLike<number>, n: number, dim: number, k: number): { distances: Float64Array; bridges: number } {
  const D = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let c = 0; c < dim; c++) {
        const d = x[i * dim + c]! - x[j * dim + c]!;
        s += d * d;
      }
      D[i * n + j] = D[j * n + i] = Math.sqrt(s);
    }
  }
  // Symmetric k-NN adjacency (a set per point).
  const adj: Set<number>[] = Array.from({ length: n }, () => new Set<number>());
  const kk = Math.min(k, n - 1);
  const nearD = new Float64Array(kk), nearJ = new Int32Array(kk);
  for (let i = 0; i < n; i++) {
    // The kk nearest by insertion into a sorted list (ties: lower index first).
    let m = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const d = D[i * n + j]!;
      if (m === kk && d >= nearD[kk - 1]!) continue;
      let p = m < kk ? m++ : kk - 1;
      while (p > 0 && nearD[p - 1]! > d) {
        nearD[p] = nearD[p - 1]!;
        nearJ[p] = nearJ[p - 1]!;
        p--;
      }
      nearD[p] = d;
      nearJ[p] = j;
    }
    for (const j of nearJ.subarray(0, m)) {
      adj[i]!.add(j);
      adj[j]!.add(i);
    }
  }
  // Join the components: the shortest edge between the component of point 0 and any other point.
  let bridges = 0;
  for (;;) {
    const comp = componentOf(adj, 0, n);
    if (comp.every(Boolean)) break;
    let best = Infinity, bi = -1, bj = -1;
    for (let i = 0; i < n; i++) {
      if (!comp[i]) continue;
      for (let j = 0; j < n; j++) {
        if (comp[j]) continue;
        const d = D[i * n + j]!;
        if (d < best) [best, bi, bj] = [d, i, j];
      }
    }
    adj[bi]!.add(bj);
    adj[bj]!.add(bi);
    bridges++;
  }
  // All-pairs shortest paths, Dijkstra with a binary heap, written over D.
  const edges = adj.map((s) => Int32Array.from(s));
  const G = new Float64Array(n * n);
  const cap = edges.reduce((s, e) => s + e.length, 0) + 1; // lazy deletion: at most one entry per edge relaxation
  const heapNode = new Int32Array(cap), heapKey = new Float64Array(cap);
  for (let src = 0; src < n; src++) {
    const dist = G.subarray(src * n, (src + 1) * n).fill(Infinity);
    dist[src] = 0;
    let size = 0;
    const push = (v: number, key: number): void => {
      if (size >= heapNode.length) throw new Error('geodesicDistances: heap overflow');
      let p = size++;
      while (p > 0) {
        const q = (p - 1) >> 1;
        if (heapKey[q]! <= key) break;
        heapNode[p] = heapNode[q]!;
        heapKey[p] = heapKey[q]!;
        p = q;
      }
      heapNode[p] = v;
      heapKey[p] = key;
    };
    push(src, 0);
    while (size > 0) {
      const u = heapNode[0]!, du = heapKey[0]!;
      const lastNode = heapNode[--size]!, lastKey = heapKey[size]!;
      let p = 0;
      for (;;) {
        let c = 2 * p + 1;
        if (c >= size) break;
        if (c + 1 < size && heapKey[c + 1]! < heapKey[c]!) c++;
        if (heapKey[c]! >= lastKey) break;
        heapNode[p] = heapNode[c]!;
        heapKey[p] = heapKey[c]!;
        p = c;
      }
      heapNode[p] = lastNode;
      heapKey[p] = lastKey;
      if (du > dist[u]!) continue;
      for (const v of edges[u]!) {
        const alt = du + D[u * n + v]!;
        if (alt < dist[v]!) {
          dist[v] = alt;
          push(v, alt);
        }
      }
    }
  }
  return { distances: G, bridges };
}

function componentOf(adj: readonly Set<number>[], start: number, n: number): boolean[] {
  const seen = new Array<boolean>(n).fill(false);
  const stack = [start];
  seen[start] = true;
  while (stack.length) {
    const u = stack.pop()!;
    for (const v of adj[u]!) if (!seen[v]) (seen[v] = true), stack.push(v);
  }
  return seen;
}
