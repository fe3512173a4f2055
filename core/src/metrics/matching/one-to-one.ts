import { minCostAssignment } from './hungarian.ts';

/** A matched pair: index into side A, index into side B, and their similarity (IoU, OKS, …). */
export interface Match {
  a: number;
  b: number;
  similarity: number;
}

function find(parent: Int32Array, x: number): number {
  while (parent[x] !== x) {
    const up = parent[parent[x] as number] as number;
    parent[x] = up;
    x = up;
  }
  return x;
}

/**
 * Optimal one-to-one matching between items of side A and side B. A pair is eligible when its
 * similarity is > 0 and ≥ `threshold`. Among eligible pairs the matching has the most pairs and,
 * among those, the largest total similarity (Hungarian algorithm on weights K + similarity with
 * K > any attainable total). The eligibility graph is split into connected components first, so
 * the cubic step only runs on groups of mutually overlapping items.
 *
 * Input: sizes and a similarity function (called once per pair). Output pairs sorted by `a`.
 * Complexity: O(nA × nB) similarity calls plus O(Σ component size³).
 */
export function matchOneToOne(nA: number, nB: number, similarity: (a: number, b: number) => number, threshold: number): Match[] {
  const sim = new Float64Array(nA * nB);
  const parent = new Int32Array(nA + nB);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  let edges = 0;
  for (let i = 0; i < nA; i++) {
    for (let j = 0; j < nB; j++) {
      const s = similarity(i, j);
      if (s > 0 && s >= threshold) {
        sim[i * nB + j] = s;
        edges++;
        const ra = find(parent, i);
        const rb = find(parent, nA + j);
        if (ra !== rb) parent[ra] = rb;
      } else sim[i * nB + j] = -1;
    }
  }
  const matches: Match[] = [];
  if (edges === 0) return matches;
  const groups = new Map<number, { as: number[]; bs: number[] }>();
  for (let x = 0; x < nA + nB; x++) {
    const root = find(parent, x);
    let g = groups.get(root);
    if (g === undefined) {
      g = { as: [], bs: [] };
      groups.set(root, g);
    }
    if (x < nA) g.as.push(x);
    else g.bs.push(x - nA);
  }
  for (const { as, bs } of groups.values()) {
    if (as.length === 0 || bs.length === 0) continue;
    if (as.length === 1 && bs.length === 1) {
      const a = as[0] as number;
      const b = bs[0] as number;
      matches.push({ a, b, similarity: sim[a * nB + b] as number });
      continue;
    }
    const r = as.length;
    const c = bs.length;
    const big = Math.min(r, c) + 1;
    const cost = new Float64Array(r * c);
    for (let i = 0; i < r; i++) {
      for (let j = 0; j < c; j++) {
        const s = sim[(as[i] as number) * nB + (bs[j] as number)] as number;
        cost[i * c + j] = s >= 0 ? -(big + s) : 0;
      }
    }
    const assigned = minCostAssignment(cost, r, c);
    for (let i = 0; i < r; i++) {
      const j = assigned[i] as number;
      if (j < 0) continue;
      const a = as[i] as number;
      const b = bs[j] as number;
      const s = sim[a * nB + b] as number;
      if (s >= 0) matches.push({ a, b, similarity: s });
    }
  }
  return matches.sort((x, y) => x.a - y.a);
}
