/**
 * From one query's score row to the ranks of its relevant database items (the input of `metrics.ts`),
 * without sorting the whole database.
 *
 * Ranking rule (deterministic): higher score first; equal scores are ranked by ascending database index.
 * NaN scores rank last (after every number), also by ascending index.
 *
 * Only the R relevant items are sorted; each of the N − R irrelevant items is placed among them (a bucket
 * index over the relevant scores, then a binary search inside one bucket), and rank(relevant q) = q + 1 +
 * (irrelevant items placed before it). O(R log R + N) typically, with no N-sized sort per query.
 */

/** Reusable buffers for `relevantRanks`, sized for one database. */
export class RankBuffers {
  readonly relIndex: Int32Array;
  readonly relScore: Float32Array;
  readonly before: Int32Array;
  readonly ranks: Int32Array;
  readonly bucketStart: Int32Array;
  constructor(readonly n: number) {
    this.bucketStart = new Int32Array(n + 1);
    this.relIndex = new Int32Array(n);
    this.relScore = new Float32Array(n);
    this.before = new Int32Array(n + 1);
    this.ranks = new Int32Array(n);
  }
}

/** NaN → -Infinity for ordering; ties with a real -Infinity are then broken by index, as for any tie. */
function key(s: number): number {
  return s !== s ? -Infinity : s;
}

/**
 * The ascending 1-based ranks of the database items with `labels[j] === label`, ranked by `scores`
 * (length N). `exclude` (a database index, or -1) is left out of the ranking entirely (N − 1 items).
 * Returns a view into `buf.ranks` valid until the next call with the same buffers.
 */
export function relevantRanks(
  scores: Float32Array,
  labels: Int32Array,
  label: number,
  exclude = -1,
  buf: RankBuffers = new RankBuffers(scores.length),
): Int32Array {
  const N = scores.length;
  const { relIndex, relScore, before, ranks } = buf;
  let R = 0;
  for (let j = 0; j < N; j++) if (labels[j] === label && j !== exclude) relIndex[R++] = j;
  if (R === 0) return ranks.subarray(0, 0);
  // Sort relevant items by (score desc, index asc); indices start ascending, so a stable sort on score works.
  const rel = Array.from(relIndex.subarray(0, R));
  rel.sort((a, b) => key(scores[b]) - key(scores[a]) || a - b);
  for (let q = 0; q < R; q++) {
    relIndex[q] = rel[q];
    relScore[q] = key(scores[rel[q]]);
  }
  before.fill(0, 0, R + 1);
  const top = relScore[0];
  const lastScore = relScore[R - 1];
  const lastIndex = relIndex[R - 1];
  // Bucket index over the relevant scores: b(s) = floor((top − s)·scale) is monotone in s, so relevant
  // items in an earlier bucket than s score higher (rank before), later ones lower; only s's own bucket
  // [bucketStart[b], bucketStart[b + 1]) needs a binary search. Infinite scores: one bucket.
  const nb = R;
  const range = top - lastScore;
  const scale = range > 0 && Number.isFinite(range) ? (nb - 1) / range : 0;
  const bucketStart = buf.bucketStart;
  let b = 0;
  for (let q = 0; q < R; q++) {
    const bq = scale === 0 ? 0 : Math.floor((top - relScore[q]) * scale);
    while (b <= bq) bucketStart[b++] = q;
  }
  while (b <= nb) bucketStart[b++] = R;
  for (let j = 0; j < N; j++) {
    if (labels[j] === label || j === exclude) continue;
    const s = key(scores[j]);
    // Fast paths: ranked after every relevant item, or before every one.
    if (s < lastScore || (s === lastScore && j > lastIndex)) {
      before[R]++;
      continue;
    }
    if (s > top) {
      before[0]++;
      continue;
    }
    // p = number of relevant items ranked before item j (first q whose item ranks after j).
    const bj = scale === 0 ? 0 : Math.floor((top - s) * scale);
    let lo = bucketStart[bj];
    let hi = bucketStart[bj + 1];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const rs = relScore[mid];
      if (rs > s || (rs === s && relIndex[mid] < j)) lo = mid + 1;
      else hi = mid;
    }
    before[lo]++;
  }
  let irrelevantAbove = 0;
  for (let q = 0; q < R; q++) {
    irrelevantAbove += before[q];
    ranks[q] = q + 1 + irrelevantAbove;
  }
  return ranks.subarray(0, R);
}
