/**
 * Exact search: a blocked matrix product of the queries with the stored Float32 codes, scanned once per
 * block of queries so each block of database rows is reused from cache, with a running top-k per query.
 */
import { ArgumentError } from '../errors.js';
import type { Hit, SearchBackend } from './backend.js';
import { contributions, steer, weightVector, type CodeLayout, type TopicWeights } from './topics.js';
import { TopK } from '../engine/topk.js';

const QUERY_BLOCK = 16;
const ROW_BLOCK = 512;

export class ExactBackend implements SearchBackend {
  readonly name = 'exact';
  readonly size: number;
  private readonly dim: number;

  constructor(
    private readonly data: Float32Array, // [n, dim]
    private readonly labels: Int32Array, // [n]
    private readonly ids: (row: number) => string,
    readonly layout: CodeLayout,
  ) {
    this.dim = layout.topics * layout.blockDim;
    this.size = labels.length;
    if (data.length !== this.size * this.dim) throw new ArgumentError(`codes: expected ${this.size}×${this.dim} values, got ${data.length}`);
  }

  async search(queries: Float32Array, k: number, topicWeights?: TopicWeights): Promise<Hit[][]> {
    const { dim, data } = this;
    if (queries.length % dim !== 0) throw new ArgumentError(`query: expected codes of dimension ${dim}`);
    const q = steer(queries, this.layout, weightVector(topicWeights, this.layout));
    const nq = q.length / dim;
    const heaps = Array.from({ length: nq }, () => new TopK(Math.min(k, this.size)));
    for (let q0 = 0; q0 < nq; q0 += QUERY_BLOCK) {
      const q1 = Math.min(nq, q0 + QUERY_BLOCK);
      for (let r0 = 0; r0 < this.size; r0 += ROW_BLOCK) {
        const r1 = Math.min(this.size, r0 + ROW_BLOCK);
        for (let qi = q0; qi < q1; qi++) {
          const qo = qi * dim;
          const heap = heaps[qi];
          for (let r = r0; r < r1; r++) {
            const ro = r * dim;
            // Four accumulators let the JIT overlap the multiply-adds.
            let s0 = 0;
            let s1 = 0;
            let s2 = 0;
            let s3 = 0;
            let j = 0;
            for (; j + 3 < dim; j += 4) {
              s0 += q[qo + j] * data[ro + j];
              s1 += q[qo + j + 1] * data[ro + j + 1];
              s2 += q[qo + j + 2] * data[ro + j + 2];
              s3 += q[qo + j + 3] * data[ro + j + 3];
            }
            for (; j < dim; j++) s0 += q[qo + j] * data[ro + j];
            heap.push(s0 + s1 + s2 + s3, r);
          }
        }
      }
    }
    return heaps.map((heap, qi) =>
      heap.sorted().map(({ row }) => {
        const c = contributions(q, qi * dim, data, row * dim, this.layout);
        return { id: this.ids(row), row, label: this.labels[row], score: c.reduce((a, b) => a + b, 0), contributions: c };
      }),
    );
  }

  async codes(rows: readonly number[]): Promise<Float32Array> {
    const out = new Float32Array(rows.length * this.dim);
    rows.forEach((r, i) => out.set(this.data.subarray(r * this.dim, (r + 1) * this.dim), i * this.dim));
    return out;
  }

  async close(): Promise<void> {}
}
