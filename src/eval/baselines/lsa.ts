/**
 * Baseline `lsa` (documents, docs/model.md §6.2): latent semantic analysis — cosine similarity of tf-idf documents
 * (`tfidf-features.ts`) projected on the top `dims` right singular vectors of the training tf-idf matrix M.
 * Those are the top eigenvectors of MᵀM, found by seeded subspace iteration (`linalg.ts`) applying M and Mᵀ
 * to sparse rows, so the [n, V] matrix is never dense. A document's code is x·V_k (= u Σ for a training
 * document), then L2-normalised.
 */
import { BASELINE_DEFAULTS } from '../../config.js';
import type { Dataset, SparseRows, Split } from '../../data/types.js';
import { Rng } from '../../engine/random.js';
import { ArgumentError, ModelError } from '../../errors.js';
import { topEigen } from '../linalg.js';
import type { Codes, FitOptions, Method } from '../method.js';
import { cosineNormalize } from '../retrieval.js';
import { TfIdfFeatures } from './tfidf-features.js';

/** MᵀM v for one column v (length V). */
function gram(m: SparseRows, v: Float64Array): Float64Array {
  const out = new Float64Array(m.cols);
  for (let r = 0; r < m.rows; r++) {
    let y = 0;
    for (let k = m.indptr[r]; k < m.indptr[r + 1]; k++) y += m.values[k] * v[m.indices[k]];
    if (y === 0) continue;
    for (let k = m.indptr[r]; k < m.indptr[r + 1]; k++) out[m.indices[k]] += m.values[k] * y;
  }
  return out;
}

export class LsaMethod implements Method {
  readonly id = 'lsa';
  private model: { features: TfIdfFeatures; components: Float32Array; k: number } | null = null;

  /** `dims`: latent dimensions; `vocabSize`: words of the tf-idf vocabulary; `iterations` of the solver. */
  constructor(
    private readonly vocabSize: number,
    private readonly dims: number = BASELINE_DEFAULTS.dims,
    private readonly iterations: number = BASELINE_DEFAULTS.lsaIterations,
  ) {}

  async fit(ds: Dataset, opts: FitOptions): Promise<void> {
    if (ds.train.kind !== 'text') throw new ArgumentError(`lsa: documents only (dataset ${ds.name} is images; use pca)`);
    const features = TfIdfFeatures.fit(ds.train, this.vocabSize);
    const m = features.transform(ds.train); // [n, V]
    const V = m.cols;
    const k = Math.min(this.dims, V, m.rows);
    const { vectors } = topEigen((cols) => cols.map((v) => gram(m, v)), V, k, {
      rng: new Rng(opts.seed),
      iterations: this.iterations,
      onIteration: (d, total) => opts.onProgress?.(d, total, 'lsa iterations'),
    });
    const components = new Float32Array(V * k); // [V, k]
    vectors.forEach((v, c) => v.forEach((val, t) => (components[t * k + c] = val)));
    this.model = { features, components, k };
  }

  async encode(split: Split): Promise<Codes> {
    const model = this.model;
    if (model === null) throw new ModelError('lsa: encode() needs fit() first');
    if (split.kind !== 'text') throw new ArgumentError('lsa: expected a document split');
    const x = model.features.transform(split); // [n, V]
    const { k, components } = model;
    const codes = new Float32Array(x.rows * k); // [n, k]
    for (let r = 0; r < x.rows; r++) {
      for (let t = x.indptr[r]; t < x.indptr[r + 1]; t++) {
        const w = x.values[t];
        const o = x.indices[t] * k;
        for (let c = 0; c < k; c++) codes[r * k + c] += w * components[o + c];
      }
    }
    return { kind: 'dense', codes: cosineNormalize(codes, k), dim: k };
  }
}
