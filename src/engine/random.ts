/**
 * Seeded random numbers that do not depend on the backend: weights, sampling and noise are drawn here
 * (mulberry32 + Box–Muller) so one seed gives the same run on cpu, wasm or the native backend.
 * The state is one 32-bit integer, saved in checkpoints to make resumed runs identical.
 */
import * as tf from './tf.js';

export class Rng {
  private state: number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A uniform float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A standard normal draw. */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const u = 1 - this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(a: T[] | Int32Array): typeof a {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** The first `count` items of a shuffled copy of `items` (a seeded sample without replacement). */
  sample(items: ArrayLike<number>, count: number): Int32Array {
    return (this.shuffle(Int32Array.from(items)) as Int32Array).slice(0, Math.min(count, items.length));
  }

  /** A fresh seed for a child generator, so sub-streams stay independent of each other's use. */
  fork(): Rng {
    return new Rng(Math.floor(this.next() * 4294967296));
  }

  normalArray(n: number, std = 1, mean = 0): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = mean + std * this.normal();
    return out;
  }

  uniformArray(n: number, lo: number, hi: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * this.next();
    return out;
  }

  normalTensor(shape: number[], std = 1): tf.Tensor {
    return tf.tensor(this.normalArray(shape.reduce((a, b) => a * b, 1), std), shape);
  }

  uniformTensor(shape: number[], lo: number, hi: number): tf.Tensor {
    return tf.tensor(this.uniformArray(shape.reduce((a, b) => a * b, 1), lo, hi), shape);
  }

  getState(): { state: number; spare: number | null } {
    return { state: this.state, spare: this.spare };
  }

  setState(s: { state: number; spare: number | null }): void {
    this.state = s.state >>> 0;
    this.spare = s.spare;
  }
}
