/**
 * The one interface every retrieval method implements (docs/model.md §6.2: baselines, learned baselines, SADSL and its
 * ablations), so `sadsl experiment` treats them alike: fit on a dataset's training split, then encode any
 * split into codes whose inner product is the method's similarity (database = encoded train split, queries
 * = encoded test split; see `evaluateCodes`).
 */
import type { Dataset, SparseRows, Split } from '../data/types.js';
import type { DenseCodes } from '../train/codes.js';

/** Sparse codes (e.g. tf-idf rows over a 20,000-word vocabulary), scored by a sparse inner product. */
export interface SparseCodes {
  kind: 'sparse';
  rows: SparseRows; // [n, dim]
}

export type Codes = DenseCodes | SparseCodes;

export interface FitOptions {
  seed: number;
  /** Progress of fitting: `done` of `total` units of `what` (steps, iterations…). */
  onProgress?: (done: number, total: number, what: string) => void;
}

export interface Method {
  /** The id used by `--methods` and as the key in `results.json`, e.g. `raw`, `pca`, `sadsl`. */
  readonly id: string;
  /** Learns from `ds.train` (labels may be used by supervised methods; never `ds.test`). */
  fit(ds: Dataset, opts: FitOptions): Promise<void>;
  /** Codes of every object of a split of the fitted dataset's domain. */
  encode(split: Split): Promise<Codes>;
  /** Seconds the last `fit` trained, when the method knows better than the wall clock (a resumed run). */
  readonly trainSeconds?: number;
  /** Frees what the method holds (tensors, models). */
  dispose?(): void;
}
