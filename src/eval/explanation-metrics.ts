/**
 * How much a model's explanations say (docs/model.md §6.3, eqs. (25)–(27)), from codes z = [√θ_k v̂_k]_k and θ:
 *   top3Share        mean over (query, hit) pairs of Σ_{3 largest |c_k|} |c_k| / Σ_k |c_k|, c_k = ⟨z_k(q), z_k(h)⟩
 *                    the topic contributions of s(q, h) = Σ_k c_k (1 when 3 topics carry the whole score);
 *   effectiveTopics  mean over objects of exp H(θ) (1 = one topic, K = uniform);
 *   topicPurity      mean over topics k of the majority-class share among the `top` objects with the
 *                    largest θ_k (1 = every topic's strongest objects are of one class).
 */
import { ArgumentError } from '../errors.js';

export interface ExplanationMetrics {
  top3Share: number;
  effectiveTopics: number;
  topicPurity: number;
}

/** Mean exp H(θ_i) over the n rows of θ [n, K]; H(p) = −Σ p log max(p, 1e-12). */
export function effectiveTopics(theta: Float32Array, n: number, K: number): number {
  if (n <= 0 || theta.length !== n * K) throw new ArgumentError(`theta: expected ${n} × ${K} values, got ${theta.length}`);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let h = 0;
    for (let k = 0; k < K; k++) {
      const p = theta[i * K + k];
      h -= p * Math.log(Math.max(p, 1e-12));
    }
    sum += Math.exp(h);
  }
  return sum / n;
}

/**
 * Mean over the K topics of the majority-class share among the `top` objects with the largest θ_k
 * (ties: lower index first). θ [n, K], labels [n].
 */
export function topicPurity(theta: Float32Array, labels: Int32Array, K: number, top = 100): number {
  const n = labels.length;
  if (n <= 0 || theta.length !== n * K) throw new ArgumentError(`theta: expected ${n} × ${K} values, got ${theta.length}`);
  const m = Math.min(top, n);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  let sum = 0;
  for (let k = 0; k < K; k++) {
    const byTopic = order.slice().sort((a, b) => theta[b * K + k] - theta[a * K + k] || a - b);
    const counts = new Map<number, number>();
    let best = 0;
    for (let i = 0; i < m; i++) {
      const c = (counts.get(labels[byTopic[i]]) ?? 0) + 1;
      counts.set(labels[byTopic[i]], c);
      best = Math.max(best, c);
    }
    sum += best / m;
  }
  return sum / K;
}

/**
 * Mean share of the 3 largest |topic contributions| in Σ_k |c_k| over the (query, hit) pairs. Codes are
 * [n, K·d] row-major; `hits` [Q, h] holds database rows (−1 = none).
 */
export function top3Share(queries: Float32Array, database: Float32Array, dim: number, K: number, hits: Int32Array, perQuery: number): number {
  if (dim % K !== 0) throw new ArgumentError(`codes: dim ${dim} is not a multiple of K = ${K}`);
  const d = dim / K;
  const Q = queries.length / dim;
  if (hits.length !== Q * perQuery) throw new ArgumentError(`hits: expected ${Q} × ${perQuery}, got ${hits.length}`);
  const c = new Float64Array(K);
  let sum = 0;
  let pairs = 0;
  for (let q = 0; q < Q; q++) {
    for (let j = 0; j < perQuery; j++) {
      const h = hits[q * perQuery + j];
      if (h < 0) continue;
      let total = 0;
      for (let k = 0; k < K; k++) {
        let dot = 0;
        const qo = q * dim + k * d;
        const ho = h * dim + k * d;
        for (let t = 0; t < d; t++) dot += queries[qo + t] * database[ho + t];
        c[k] = Math.abs(dot);
        total += c[k];
      }
      if (total === 0) continue;
      const sorted = Array.from(c).sort((a, b) => b - a);
      sum += (sorted[0] + (sorted[1] ?? 0) + (sorted[2] ?? 0)) / total;
      pairs++;
    }
  }
  if (pairs === 0) throw new ArgumentError('top3Share: no (query, hit) pair');
  return sum / pairs;
}
