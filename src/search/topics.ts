/**
 * Topic-steered scores. A code z is K blocks of `blockDim` dims, block k = √θ_k v̂_k, so
 * s(x, y) = ⟨z(x), z(y)⟩ = Σ_k ⟨z_k(x), z_k(y)⟩ (docs/model.md eq. (12)). Scaling block k of the query by w_k gives the
 * steered score Σ_k w_k ⟨z_k(x), z_k(y)⟩ exactly, for any inner-product search (exact or ANN).
 */
import { ArgumentError } from '../errors.js';

/** How a code splits into topic blocks: `topics` blocks of `blockDim` dims (the no-topics variant: 1 block). */
export interface CodeLayout {
  topics: number;
  blockDim: number;
}

/** Per-topic weights; topics not named keep weight 1, weight 0 ignores a topic. */
export type TopicWeights = Readonly<Record<number, number>>;

/** Parses `3:2,7:0` (topic:weight pairs). */
export function parseTopicWeights(text: string, what = '--topics'): TopicWeights {
  const out: Record<number, number> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d+):([^:]+)$/.exec(part);
    const w = m ? Number(m[2]) : NaN;
    if (!m || !Number.isFinite(w)) throw new ArgumentError(`${what}: expected topic:weight pairs such as 3:2,7:0, got '${part}'`);
    out[Number(m[1])] = w;
  }
  return out;
}

/** The weight of every topic, checked against the layout; null when no weights are given (all 1). */
export function weightVector(weights: TopicWeights | undefined, layout: CodeLayout, what = 'topicWeights'): Float32Array | null {
  if (!weights || Object.keys(weights).length === 0) return null;
  const w = new Float32Array(layout.topics).fill(1);
  for (const [key, value] of Object.entries(weights)) {
    const k = Number(key);
    if (!Number.isInteger(k) || k < 0 || k >= layout.topics) throw new ArgumentError(`${what}: topic ${key} is out of range (the index has topics 0..${layout.topics - 1})`);
    if (!Number.isFinite(value) || value < 0) throw new ArgumentError(`${what}: the weight of topic ${key} must be a finite number ≥ 0, got ${value}`);
    w[k] = value;
  }
  return w;
}

/** Queries [q, dim] with block k of every row scaled by w_k (a copy; the input is untouched). */
export function steer(queries: Float32Array, layout: CodeLayout, w: Float32Array | null): Float32Array {
  if (!w) return queries;
  const out = new Float32Array(queries);
  const dim = layout.topics * layout.blockDim;
  for (let base = 0; base < out.length; base += dim) {
    for (let k = 0; k < layout.topics; k++) {
      const off = base + k * layout.blockDim;
      for (let j = 0; j < layout.blockDim; j++) out[off + j] *= w[k];
    }
  }
  return out;
}

/** Per-topic contributions ⟨q_k, c_k⟩ of a (steered) query and a code; they sum to the score. */
export function contributions(query: Float32Array, qOffset: number, code: ArrayLike<number>, cOffset: number, layout: CodeLayout): number[] {
  const out = new Array<number>(layout.topics);
  for (let k = 0; k < layout.topics; k++) {
    let s = 0;
    const qo = qOffset + k * layout.blockDim;
    const co = cOffset + k * layout.blockDim;
    for (let j = 0; j < layout.blockDim; j++) s += query[qo + j] * code[co + j];
    out[k] = s;
  }
  return out;
}
