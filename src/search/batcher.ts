/**
 * Micro-batching of concurrent searches. The exact backend answers a block of queries in one pass over the
 * database for about the cost of one query, so queries that arrive while a pass runs are answered together
 * in the next pass (up to `maxBatch`, grouped by topic weights). A lone query starts at once: batching adds
 * no waiting time, only the turn of the event loop that lets already-received requests join.
 */
import type { Hit, SearchBackend } from './backend.js';
import type { TopicWeights } from './topics.js';
import { yieldToEventLoop } from '../engine/event-loop.js';

interface Pending {
  code: Float32Array;
  k: number;
  weights: TopicWeights | undefined;
  key: string;
  resolve: (hits: Hit[]) => void;
  reject: (e: unknown) => void;
}

export class QueryBatcher {
  private readonly queue: Pending[] = [];
  private running = false;
  /** Queries answered per pass, for the service's statistics. */
  readonly passes: number[] = [];

  constructor(
    private readonly backend: SearchBackend,
    readonly maxBatch = 64,
  ) {}

  /** The k best hits of one query code [dim]. */
  search(code: Float32Array, k: number, weights?: TopicWeights): Promise<Hit[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ code, k, weights, key: JSON.stringify(weights ?? {}), resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        // Let requests that arrived during the last pass reach the queue.
        await yieldToEventLoop();
        const key = this.queue[0].key;
        const batch: Pending[] = [];
        for (let i = 0; i < this.queue.length && batch.length < this.maxBatch; ) {
          if (this.queue[i].key === key) batch.push(...this.queue.splice(i, 1));
          else i++;
        }
        const dim = batch[0].code.length;
        const codes = new Float32Array(batch.length * dim);
        batch.forEach((p, i) => codes.set(p.code, i * dim));
        const k = Math.max(...batch.map((p) => p.k));
        try {
          const hits = await this.backend.search(codes, k, batch[0].weights);
          batch.forEach((p, i) => p.resolve(hits[i].slice(0, p.k)));
        } catch (e) {
          batch.forEach((p) => p.reject(e));
        }
        this.passes.push(batch.length);
        if (this.passes.length > 1000) this.passes.splice(0, this.passes.length - 1000);
      }
    } finally {
      this.running = false;
    }
  }
}
