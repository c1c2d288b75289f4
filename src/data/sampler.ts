/**
 * Batch samplers (docs/model.md §5: a batch is P classes × M objects, default 8 × 8).
 *
 * `ClassBalancedSampler` draws P distinct random classes per batch and M objects of each: a class walks
 * through a shuffled permutation of its objects (as the reference's PMSampler) and reshuffles when fewer
 * than M remain — unlike the reference, which wraps mid-batch, so no object repeats within a batch — while
 * a class with fewer than M objects is drawn with replacement. One epoch is
 * floor(n / (P·M)) batches. `ShuffledSampler` is a plain shuffled pass in fixed-size batches.
 *
 * Both are seeded with `Rng` and expose `getState()/setState()` (small JSON) so a resumed run continues
 * with exactly the batches it would have drawn. Permutations are not stored: each is regenerated from the
 * seed it was drawn with.
 */
import { ArgumentError } from '../errors.js';
import { Rng } from '../engine/random.js';

type RngState = ReturnType<Rng['getState']>;

export interface BatchSampler {
  /** Row indices of the next batch. */
  next(): Int32Array;
  /** Batches per epoch. */
  readonly batchesPerEpoch: number;
  getState(): unknown;
  setState(state: unknown): void;
}

function permutation(items: readonly number[], seed: number): number[] {
  return new Rng(seed).shuffle([...items]) as number[];
}

function drawSeed(rng: Rng): number {
  return rng.int(4294967296);
}

export interface ClassBalancedState {
  kind: 'class-balanced';
  rng: RngState;
  /** Per class: the seed of its current permutation and the position in it. */
  permSeeds: number[];
  positions: number[];
}

export class ClassBalancedSampler implements BatchSampler {
  readonly P: number;
  readonly M: number;
  readonly batchesPerEpoch: number;
  private readonly rng: Rng;
  /** Object indices of each class that has objects, in index order. */
  private readonly byClass: number[][];
  private perms: number[][];
  private permSeeds: number[];
  private positions: number[];

  /** P is capped at the number of classes present. */
  constructor(labels: ArrayLike<number>, opts: { P?: number; M?: number; seed: number }) {
    const P = opts.P ?? 8;
    const M = opts.M ?? 8;
    if (!Number.isInteger(P) || P < 1 || !Number.isInteger(M) || M < 1) {
      throw new ArgumentError(`P and M must be positive integers, got P=${P}, M=${M}`);
    }
    const groups = new Map<number, number[]>();
    for (let i = 0; i < labels.length; i++) {
      const c = labels[i];
      if (!groups.has(c)) groups.set(c, []);
      groups.get(c)!.push(i);
    }
    if (groups.size === 0) throw new ArgumentError('cannot sample batches from an empty split');
    this.byClass = [...groups.keys()].sort((a, b) => a - b).map((c) => groups.get(c)!);
    this.P = Math.min(P, this.byClass.length);
    this.M = M;
    this.batchesPerEpoch = Math.max(1, Math.floor(labels.length / (this.P * M)));
    this.rng = new Rng(opts.seed);
    this.permSeeds = this.byClass.map(() => drawSeed(this.rng));
    this.positions = this.byClass.map(() => 0);
    this.perms = this.byClass.map((idx, c) => permutation(idx, this.permSeeds[c]));
  }

  next(): Int32Array {
    const classes = this.rng.shuffle(this.byClass.map((_, c) => c)).slice(0, this.P) as number[];
    const out = new Int32Array(this.P * this.M);
    let k = 0;
    for (const c of classes) {
      const idx = this.byClass[c];
      if (idx.length < this.M) {
        for (let m = 0; m < this.M; m++) out[k++] = idx[this.rng.int(idx.length)];
        continue;
      }
      if (this.positions[c] + this.M > idx.length) {
        this.permSeeds[c] = drawSeed(this.rng);
        this.perms[c] = permutation(idx, this.permSeeds[c]);
        this.positions[c] = 0;
      }
      for (let m = 0; m < this.M; m++) out[k++] = this.perms[c][this.positions[c]++];
    }
    return out;
  }

  getState(): ClassBalancedState {
    return { kind: 'class-balanced', rng: this.rng.getState(), permSeeds: [...this.permSeeds], positions: [...this.positions] };
  }

  setState(state: unknown): void {
    const s = state as ClassBalancedState;
    const n = this.byClass.length;
    if (s?.kind !== 'class-balanced' || s.permSeeds?.length !== n || s.positions?.length !== n) {
      throw new ArgumentError(`sampler state does not match this split (${n} classes)`);
    }
    this.rng.setState(s.rng);
    this.permSeeds = [...s.permSeeds];
    this.positions = [...s.positions];
    this.perms = this.byClass.map((idx, c) => permutation(idx, this.permSeeds[c]));
  }
}

export interface ShuffledState {
  kind: 'shuffled';
  rng: RngState;
  permSeed: number;
  position: number;
}

/** Each epoch a fresh permutation of 0..n-1 in batches of `batchSize` (the last one of an epoch may be smaller). */
export class ShuffledSampler implements BatchSampler {
  readonly batchesPerEpoch: number;
  private readonly rng: Rng;
  private readonly all: number[];
  private perm: number[];
  private permSeed: number;
  private position = 0;

  constructor(
    readonly n: number,
    readonly batchSize: number,
    seed: number,
  ) {
    if (!Number.isInteger(n) || n < 1) throw new ArgumentError(`cannot sample batches from ${n} objects`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new ArgumentError(`batch size must be a positive integer, got ${batchSize}`);
    this.batchesPerEpoch = Math.ceil(n / batchSize);
    this.rng = new Rng(seed);
    this.all = Array.from({ length: n }, (_, i) => i);
    this.permSeed = drawSeed(this.rng);
    this.perm = permutation(this.all, this.permSeed);
  }

  next(): Int32Array {
    if (this.position >= this.n) {
      this.permSeed = drawSeed(this.rng);
      this.perm = permutation(this.all, this.permSeed);
      this.position = 0;
    }
    const end = Math.min(this.position + this.batchSize, this.n);
    const out = Int32Array.from(this.perm.slice(this.position, end));
    this.position = end;
    return out;
  }

  getState(): ShuffledState {
    return { kind: 'shuffled', rng: this.rng.getState(), permSeed: this.permSeed, position: this.position };
  }

  setState(state: unknown): void {
    const s = state as ShuffledState;
    if (s?.kind !== 'shuffled' || !(s.position >= 0 && s.position <= this.n)) {
      throw new ArgumentError(`sampler state does not match a shuffled pass over ${this.n} objects`);
    }
    this.rng.setState(s.rng);
    this.permSeed = s.permSeed;
    this.position = s.position;
    this.perm = permutation(this.all, this.permSeed);
  }
}
