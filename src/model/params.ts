/**
 * The named variables of one network. Every layer registers its weights here under a stable dotted name
 * (`enc.conv1.weight`), which is what checkpoints and saved models use. Names stay local to the store:
 * tfjs variable names are process-global, so two models in one process would clash.
 */
import * as tf from '../engine/tf.js';
import type { Rng } from '../engine/random.js';
import { ModelError } from '../errors.js';

interface Entry {
  variable: tf.Variable;
  trainable: boolean;
}

export class ParamStore {
  private readonly entries = new Map<string, Entry>();

  constructor(readonly rng: Rng) {}

  /** Registers a variable initialised from `init` (which this call disposes). */
  add(name: string, init: tf.Tensor, trainable = true): tf.Variable {
    if (this.entries.has(name)) throw new ModelError(`duplicate parameter name '${name}'`);
    const variable = tf.variable(init, trainable);
    init.dispose();
    this.entries.set(name, { variable, trainable });
    return variable;
  }

  /** U(-bound, bound) from the Rng. */
  uniform(name: string, shape: number[], bound: number): tf.Variable {
    return this.add(name, this.rng.uniformTensor(shape, -bound, bound));
  }

  /** Trainable variables whose name starts with one of `prefixes`. */
  trainable(prefixes: string[]): tf.Variable[] {
    const out: tf.Variable[] = [];
    for (const [name, e] of this.entries) {
      if (e.trainable && prefixes.some((p) => name.startsWith(p))) out.push(e.variable);
    }
    return out;
  }

  /** Every variable (trainable or not) by name; live, the caller must not dispose them. */
  all(): Record<string, tf.Variable> {
    const out: Record<string, tf.Variable> = {};
    for (const [name, e] of this.entries) out[name] = e.variable;
    return out;
  }

  /** Assigns every variable from `w`; all names must be present with the same shape. */
  assign(w: Record<string, tf.Tensor>): void {
    for (const [name, e] of this.entries) {
      const t = w[name];
      if (t === undefined) throw new ModelError(`weights: missing '${name}'`);
      if (!tf.util.arraysEqual(t.shape, e.variable.shape)) {
        throw new ModelError(`weights: '${name}' has shape [${t.shape}], expected [${e.variable.shape}]`);
      }
    }
    tf.tidy(() => {
      for (const [name, e] of this.entries) e.variable.assign(tf.cast(w[name], e.variable.dtype));
    });
  }

  /** Number of scalar weights; trainable only unless `all`. */
  count(all = false): number {
    let n = 0;
    for (const e of this.entries.values()) if (all || e.trainable) n += e.variable.size;
    return n;
  }

  dispose(): void {
    for (const e of this.entries.values()) e.variable.dispose();
    this.entries.clear();
  }
}
