/**
 * Topic usage of a set of objects (docs/model.md §6.1): spec v1 collapsed every object onto one topic
 * (docs/model.md §8), and a collapsed model explains nothing. Computed from the topic strengths θ
 * (docs/model.md eq. (9); each row on the simplex) exactly as the reference: H(p) = −Σ p log max(p, 1e-12),
 * arg-max = first maximal topic.
 */
import { ArgumentError } from '../errors.js';
import type { TopicUsage } from '../train/validation.js';

function entropy(p: ArrayLike<number>, offset: number, K: number): number {
  let h = 0;
  for (let k = 0; k < K; k++) {
    const v = p[offset + k];
    h -= v * Math.log(Math.max(v, 1e-12));
  }
  return h;
}

/** Topic usage of n objects from θ [n, K] (row-major). */
export function topicUsage(theta: Float32Array, n: number, K: number): TopicUsage {
  if (n <= 0 || K <= 0 || theta.length !== n * K) {
    throw new ArgumentError(`theta: expected ${n} × ${K} values, got ${theta.length}`);
  }
  const mean = new Float64Array(K);
  const argmaxCount = new Int32Array(K);
  let sumEntropy = 0;
  let sumMax = 0;
  for (let i = 0; i < n; i++) {
    const o = i * K;
    let best = 0;
    for (let k = 0; k < K; k++) {
      mean[k] += theta[o + k];
      if (theta[o + k] > theta[o + best]) best = k;
    }
    argmaxCount[best]++;
    sumMax += theta[o + best];
    sumEntropy += entropy(theta, o, K);
  }
  for (let k = 0; k < K; k++) mean[k] /= n;
  return {
    entropyMeanTheta: entropy(mean, 0, K),
    logK: Math.log(K),
    meanEntropyTheta: sumEntropy / n,
    topicsUsedAsArgmax: argmaxCount.filter((c) => c > 0).length,
    meanMaxTheta: sumMax / n,
    largestArgmaxShare: Math.max(...argmaxCount) / n,
  };
}
