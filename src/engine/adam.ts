/**
 * Adam with a fused update: `FusedAdamOptimizer` is tf.train.adam's AdamOptimizer (same state, same
 * getWeights/setWeights, same results) whose applyGradients runs, on backends with the `AdamUpdate` kernel
 * (`torch`: one native loop per weight, native/src/optim.cc), one kernel per weight that updates in place
 *   m ← β1 m + (1 − β1) g,   v ← β2 v + (1 − β2) g²,   w ← w − lr · (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + ε)
 * instead of tfjs's ~14 element-wise kernels and full-size temporaries per weight (`bench/adam.ts` measures
 * both). Other backends run tfjs's own applyGradients.
 * Every operation is rounded to float32 in tfjs's order, so both paths give tfjs's numbers.
 */
import * as tf from './tf.js';

/** The kernel's name; it has no outputs: it overwrites its inputs w, m and v. */
export const ADAM_UPDATE = 'AdamUpdate';

/** tfjs's scalars of one step, each rounded to float32 as AdamOptimizer's scalar tensors are. */
export interface AdamUpdateAttrs {
  beta1: number;
  oneMinusBeta1: number;
  beta2: number;
  oneMinusBeta2: number;
  /** 1 − β1^t, 1 − β2^t with β^t the optimiser's running float32 product. */
  oneMinusBeta1Power: number;
  oneMinusBeta2Power: number;
  epsilon: number;
  negLr: number;
  [key: string]: number;
}

/** AdamOptimizer's private state (tfjs-core 4.22 adam_optimizer.ts), shared with the fused path. */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
}

/** What AdamOptimizer.applyGradients takes: named gradients, as a map or a list. */
type Gradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

/** Whether the active backend runs the update as one kernel. */
export function hasFusedAdam(): boolean {
  return tf.getKernel(ADAM_UPDATE, tf.getBackend()) !== undefined;
}

/** The kernel overwrites its inputs' data, so each must be the only tensor on its data id: a variable made
 *  from (or a moment restored from) a tensor the caller still holds gets a private copy first. Native
 *  aliases (clone, reshape views) are copied on write by the addon itself. */
function ownData(t: tf.Variable): void {
  if (tf.engine().backend.refCount(t.dataId) > 1) tf.tidy(() => t.assign(tf.mul(t, 1)));
}

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: Gradients): void {
    if (!hasFusedAdam()) return super.applyGradients(variableGradients);
    const s = this as unknown as AdamState;
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const f = Math.fround;
    const attrs: AdamUpdateAttrs = {
      beta1: f(this.beta1),
      oneMinusBeta1: f(1 - this.beta1),
      beta2: f(this.beta2),
      oneMinusBeta2: f(1 - this.beta2),
      oneMinusBeta1Power: f(1 - s.accBeta1.dataSync()[0]),
      oneMinusBeta2Power: f(1 - s.accBeta2.dataSync()[0]),
      epsilon: f(this.epsilon),
      negLr: f(-this.learningRate),
    };
    tf.tidy(() => {
      names.forEach((name, i) => {
        const w = tf.engine().registeredVariables[name];
        // moments keyed by position and named as AdamOptimizer names them, so getWeights/setWeights agree
        s.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(w).variable(false)) };
        s.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(w).variable(false)) };
        const g = Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
        if (g == null) return;
        const m = s.accumulatedFirstMoment[i].variable;
        const v = s.accumulatedSecondMoment[i].variable;
        for (const t of [w, m, v]) ownData(t);
        tf.engine().runKernel(ADAM_UPDATE, { w, m, v, g }, attrs);
      });
      s.accBeta1.assign(tf.mul(s.accBeta1, this.beta1));
      s.accBeta2.assign(tf.mul(s.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}
