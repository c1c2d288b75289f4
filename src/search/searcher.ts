/**
 * A search index with what queries and explanations need: the backend over the stored codes, and — loaded
 * on first use — the model (its fingerprint must equal the one the index was built with) and the dataset
 * the ids point into. The CLI `search` and the HTTP service both use it.
 */
import { parseRef, formatRef } from '../data/refs.js';
import { loadDataset } from '../data/registry.js';
import type { Dataset, Split } from '../data/types.js';
import { ArgumentError } from '../errors.js';
import type { Explanation } from '../model/types.js';
import { TrainedModel, loadModel, type Objects } from '../train/trained-model.js';
import type { Hit, SearchBackend } from './backend.js';
import { QueryBatcher } from './batcher.js';
import { CompactCodes } from './compact.js';
import { ExactBackend } from './exact.js';
import { LanceBackend, type AnnSearchParams } from './lance.js';
import { checkFingerprint, readIndexArrays, readIndexManifest, type IndexManifest } from './manifest.js';
import { imageQuery, textQuery } from './query.js';
import { openStore } from './store.js';
import { weightVector, type TopicWeights } from './topics.js';

export type BackendChoice = 'auto' | 'exact' | 'lance';

export interface OpenSearcherOptions {
  /** `auto` (default): LanceDB when the index has an ANN index, else exact. */
  backend?: BackendChoice;
  /** Model directory (default: the one the index was built with). */
  model?: string;
  /** Overrides of the ANN search parameters the index chose when it was built. */
  ann?: Partial<AnnSearchParams>;
}

/** A query: an object by id (`split:index`), an encoded image file, or a document. */
export type QueryInput = { id: string } | { image: Uint8Array } | { text: string };

export interface Query {
  code: Float32Array; // [dim]
  /** The query object itself (for explanations). */
  objects: Objects;
}

export class Searcher {
  private modelPromise: Promise<TrainedModel> | null = null;
  private datasetPromise: Promise<Dataset> | null = null;

  private thetaCache: Float32Array | null = null;
  private readonly batcher: QueryBatcher;

  private constructor(
    /** The index location: a directory or s3://bucket/path. */
    readonly uri: string,
    readonly manifest: IndexManifest,
    readonly backend: SearchBackend,
    readonly modelDir: string,
    private readonly codes: CompactCodes,
  ) {
    this.batcher = new QueryBatcher(backend);
  }

  /** θ [n, K] of the database from its stored blocks, rows summing to 1 (dropped topics 0), when the model has topics. */
  get theta(): Float32Array | null {
    if (this.manifest.layout.topics === 1) return null;
    this.thetaCache ??= this.codes.theta();
    return this.thetaCache;
  }

  /** Queries answered per pass of the backend, the latest passes last (micro-batching). */
  get passes(): readonly number[] {
    return this.batcher.passes;
  }

  static async open(uri: string, opts: OpenSearcherOptions = {}): Promise<Searcher> {
    const store = await openStore(uri);
    const manifest = await readIndexManifest(store);
    const modelDir = opts.model ?? manifest.model.dir;
    if (opts.model) checkFingerprint(manifest, modelDir, (await TrainedModel.readManifest(modelDir)).fingerprint);
    const choice = opts.backend ?? 'auto';
    const { dim } = manifest;
    const { codes, labels, projection } = await readIndexArrays(store, manifest);
    const exact = new ExactBackend(codes, labels, (row) => formatRef(manifest.split, row));
    const ann = manifest.ann;
    if (choice === 'lance' && ann.type === 'none') throw new ArgumentError(`${uri}: the index has no ANN stage (rebuild it with --ann lance)`);
    let backend: SearchBackend = exact;
    if (ann.type !== 'none' && projection && choice !== 'exact') {
      backend = await LanceBackend.open(store.lance, exact, { dim, D: ann.dims, matrix: projection }, { ...ann.search, ...opts.ann });
    }
    return new Searcher(uri, manifest, backend, modelDir, codes);
  }

  /** The model, loaded once and checked against the index. */
  model(): Promise<TrainedModel> {
    this.modelPromise ??= (async () => {
      const manifest = await TrainedModel.readManifest(this.modelDir);
      checkFingerprint(this.manifest, this.modelDir, manifest.fingerprint);
      return loadModel(this.modelDir);
    })();
    return this.modelPromise;
  }

  /** The dataset the ids point into, loaded once. */
  dataset(): Promise<Dataset> {
    this.datasetPromise ??= loadDataset(this.manifest.dataset.spec);
    return this.datasetPromise;
  }

  /** The object an id names, or null when the dataset has no such object (a malformed id throws). */
  async lookup(id: string, what = 'id'): Promise<Objects | null> {
    const ref = parseRef(id, what);
    const ds = await this.dataset();
    const split: Split = ds[ref.split];
    return ref.index < split.n ? { split, indices: [ref.index] } : null;
  }

  /** The stored row of an id, when the object is in the index. */
  rowOf(id: string): number | null {
    const ref = parseRef(id);
    return ref.split === this.manifest.split && ref.index < this.manifest.n ? ref.index : null;
  }

  async query(q: QueryInput): Promise<Query> {
    if ('id' in q) {
      const objects = await this.lookup(q.id);
      if (!objects) throw new ArgumentError(`id: ${q.id} is not an object of ${this.manifest.dataset.spec}`);
      const row = this.rowOf(q.id);
      const code = row !== null ? await this.backend.codes([row]) : (await (await this.model()).encode(objects)).codes;
      return { code, objects };
    }
    const model = await this.model();
    const split = 'image' in q ? await imageQuery(q.image, model.preprocessor.input) : textQuery(q.text, model.preprocessor.vocabulary);
    return { code: (await model.encode({ split })).codes, objects: { split } };
  }

  async search(code: Float32Array, k: number, topicWeights?: TopicWeights): Promise<Hit[]> {
    if (!Number.isInteger(k) || k < 1) throw new ArgumentError(`k: must be a positive integer, got ${k}`);
    if (topicWeights) weightVector(topicWeights, this.manifest.layout); // a bad weight fails this request only, not its batch
    return this.batcher.search(code, Math.min(k, this.backend.size), topicWeights);
  }

  async explain(a: Objects, b: Objects): Promise<Explanation> {
    return (await this.model()).explain(a, b);
  }

  async close(): Promise<void> {
    await this.backend.close();
    if (this.modelPromise) (await this.modelPromise.catch(() => null))?.dispose();
  }
}

