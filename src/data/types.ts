/**
 * The in-memory form of a labelled dataset, shared by every loader and consumer.
 * Ids of objects are `split:index` everywhere (CLI, API, service).
 */

export type SplitName = 'train' | 'test';

/** Images, stored as bytes (0–255) in row-major [n, height, width, channels] order. */
export interface ImageSplit {
  kind: 'image';
  n: number;
  height: number;
  width: number;
  channels: number;
  pixels: Uint8Array; // [n, H, W, C]
  labels: Int32Array; // [n], indices into Dataset.classes
  /** Where each object came from (a file path, or `file#index`), for display. */
  sources?: string[];
}

/** Documents as raw text; tokenisation happens in `data/text` with a vocabulary built on train. */
export interface TextSplit {
  kind: 'text';
  n: number;
  texts: string[];
  labels: Int32Array; // [n]
  sources?: string[];
}

export type Split = ImageSplit | TextSplit;

export interface Dataset<S extends Split = Split> {
  /** The spec it was loaded from, e.g. `fashion-mnist` or `images:/data/shoes`. */
  spec: string;
  /** Short display name, e.g. `fashion-mnist`. */
  name: string;
  domain: S['kind'];
  /** Class names; labels index into this. */
  classes: string[];
  train: S;
  test: S;
  /** How train/test were obtained: the source's own split, or a seeded stratified split. */
  splitInfo: { kind: 'given' } | { kind: 'stratified'; seed: number; testFraction: number };
}

export type ImageDataset = Dataset<ImageSplit>;
export type TextDataset = Dataset<TextSplit>;

/** Sparse rows in CSR form: row i holds `values[indptr[i]..indptr[i+1]]` at columns `indices[…]`. */
export interface SparseRows {
  rows: number;
  cols: number;
  indptr: Int32Array; // [rows + 1]
  indices: Int32Array; // [nnz]
  values: Float32Array; // [nnz]
}

/** Documents encoded with a vocabulary (see `data/text`). */
export interface EncodedTexts {
  n: number;
  maxLength: number; // L
  vocabSize: number; // V, the number of real words (the bag-of-words width)
  ids: Int32Array; // [n, L]; 0 = padding, a word with vocabulary index w (0-based) has id w + 1
  bow: SparseRows; // [n, V] word counts of the whole document
}

/** Objects of a split: all of them, or the ones at `indices`. */
export interface SplitObjects {
  split: Split;
  indices?: ArrayLike<number>;
}

/**
 * A split read on demand: labels (and the split's shape) stay resident, objects are fetched for the indices a
 * step needs. A resident split answers with itself and the indices; a streamed one with a split of just those
 * objects, read from disk, so memory is bounded by the batch and not by the collection.
 */
export interface SplitReader {
  kind: Split['kind'];
  n: number;
  labels: Int32Array; // [n]
  /** The whole split when it is in memory (then `read` costs nothing). */
  resident: Split | null;
  /** The objects at `indices`, in that order. */
  read(indices: ArrayLike<number>): Promise<SplitObjects>;
}

/** A dataset whose splits are read on demand (see `data/reader.ts`). */
export interface DatasetReader extends Omit<Dataset, 'train' | 'test'> {
  train: SplitReader;
  test: SplitReader;
}
