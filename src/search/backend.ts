/**
 * The one interface both search backends implement: the top-k database codes by the compact score
 * s̃ = ⟨q̃, z̃⟩ with a query, optionally topic-steered, each hit with its per-topic contributions.
 */
import type { CodeLayout, TopicWeights } from './topics.js';

export interface Hit {
  /** `split:index` of the database object. */
  id: string;
  /** Row in the index. */
  row: number;
  label: number;
  /** The (steered) score Σ_k w_k ⟨q_k, z_k⟩. */
  score: number;
  /** Per topic k, w_k ⟨q̃_k, z̃_k⟩ over the blocks both compact codes keep (else 0); sums to `score`. */
  contributions: number[];
  /**
   * Mass Σ θ_k of the topic blocks the query's and the object's compact codes dropped (src/search/compact.ts):
   * the full-code score differs from `score` by at most √query + √object (plus the rounding of stored values).
   */
  dropped: { query: number; object: number };
}

export interface SearchBackend {
  readonly name: 'exact' | 'lance';
  readonly layout: CodeLayout;
  /** Rows in the database. */
  readonly size: number;
  /** For each of the queries [q, dim], its k best hits, best first. */
  search(queries: Float32Array, k: number, topicWeights?: TopicWeights): Promise<Hit[][]>;
  /** The stored codes of rows, [rows.length, dim]. */
  codes(rows: readonly number[]): Promise<Float32Array>;
  close(): Promise<void>;
}
