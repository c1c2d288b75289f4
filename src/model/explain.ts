/**
 * The exact decomposition of one score (docs/model.md eqs. (13)–(14″)). With w_k = √(θ_k + sqrtEps) (1 for `no-topics`):
 * topic contribution c_k = w_k(a) w_k(b) ⟨v̂_k(a), v̂_k(b)⟩, and feature r of a inside topic k contributes
 * w_k(a) w_k(b) α_r a_{r,k} ⟨f'_r, v̂_k(b)⟩ / (‖v_k(a)‖ + ε) (eq. (14)). Because v_k(a) = Σ_r α_r a_{r,k} f'_r, the
 * features of topic k sum to c_k and the topics sum to s(a, b) = ⟨z(a), z(b)⟩ (symmetrically for b).
 * f'_r = f_r + γ Σ_j A_{rj} v_j is linear in the values, so eq. (14′) hands the part of r's contribution that came
 * from region j through the non-local block back to j; image regions are then the pixel cells, eq. (14″) dividing
 * each one's contribution among the cells of its receptive field. Both keep every sum.
 */
import * as tf from '../engine/tf.js';
import type { Explanation, Forward } from './types.js';

export interface ExplainArgs {
  eps: number;
  sqrtEps: number;
  /** False for the `no-topics` ablation (w_k = 1). */
  topics: boolean;
  /** γ of the non-local block (eq. (6)). */
  gamma: number;
  /** ρ of eq. (14″), [cells, regions] (images: cellSpread); null keeps the regions (documents: a segment's tokens are its own). */
  spread: Float32Array | null;
}

/** Rows of a [R, K] array as number[][]. */
function rows(data: Float32Array, r: number, k: number): number[][] {
  return Array.from({ length: r }, (_, i) => Array.from(data.subarray(i * k, (i + 1) * k)));
}

/** Explains s(a, b) from the forward passes of two single objects (batch 1 each). */
export function explainPair(fa: Forward, fb: Forward, args: ExplainArgs): Explanation {
  const [score, topicC, regA, regB] = tf.tidy(() => {
    const weights = (f: Forward): tf.Tensor1D =>
      (args.topics ? tf.sqrt(tf.add(f.theta, args.sqrtEps)) : tf.onesLike(f.theta)).reshape([-1]);
    const vhat = (f: Forward): tf.Tensor2D =>
      tf.div(f.views, tf.add(f.viewNorms.expandDims(2), args.eps)).squeeze([0]) as tf.Tensor2D; // [K, d]
    const ww = tf.mul(weights(fa), weights(fb)); // [K]
    const va = vhat(fa);
    const vb = vhat(fb);
    const c = tf.mul(ww, tf.sum(tf.mul(va, vb), 1)); // [K]
    // region r of x in topic k, measured against the other object's unit views vOther
    const regions = (f: Forward, vOther: tf.Tensor2D): tf.Tensor2D => {
      const coef = tf.mul(tf.mul(f.alpha.reshape([-1, 1]), f.affinity.squeeze([0])), tf.div(ww, tf.add(f.viewNorms.reshape([-1]), args.eps))); // [R, K]  w_k(x) w_k(y) α_r a_{r,k} / (‖v_k‖ + ε)
      const own = tf.matMul(f.regionInputs.squeeze([0]) as tf.Tensor2D, vOther, false, true); // [R, K]  ⟨f_r, v̂_k(other)⟩
      const read = tf.matMul(f.values.squeeze([0]) as tf.Tensor2D, vOther, false, true); // [R, K]  ⟨v_j, v̂_k(other)⟩
      const routed = tf.matMul(f.attention.squeeze([0]) as tf.Tensor2D, coef, true, false); // [R, K]  Σ_r A_{rj} coef_{r,k}, row j
      const byRegion = tf.add(tf.mul(coef, own), tf.mul(tf.mul(routed, read), args.gamma)) as tf.Tensor2D; // [R, K]  eq. (14′)
      if (!args.spread) return byRegion;
      const R = byRegion.shape[0];
      return tf.matMul(tf.tensor2d(args.spread, [R, R]), byRegion); // [R, K]  eq. (14″): by pixel cell
    };
    const s = tf.sum(tf.mul(fa.codes, fb.codes));
    return [s, c, regions(fa, vb), regions(fb, va)];
  });
  const R = fa.features.shape[1];
  const Rb = fb.features.shape[1];
  const K = topicC.shape[0];
  const out: Explanation = {
    score: score.dataSync()[0],
    topics: Array.from(topicC.dataSync(), (contribution, topic) => ({ topic, contribution })),
    regions: { a: rows(regA.dataSync() as Float32Array, R, K), b: rows(regB.dataSync() as Float32Array, Rb, K) },
  };
  tf.dispose([score, topicC, regA, regB]);
  return out;
}
