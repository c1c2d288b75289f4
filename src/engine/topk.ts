/** The k largest scores of a stream, kept in a min-heap of size k. */
export class TopK {
  private readonly scores: Float64Array;
  private readonly rows: Int32Array;
  private size = 0;

  constructor(readonly k: number) {
    this.scores = new Float64Array(k);
    this.rows = new Int32Array(k);
  }

  /** The smallest score kept, or -Infinity while fewer than k are kept. */
  get threshold(): number {
    return this.size < this.k ? -Infinity : this.scores[0];
  }

  push(score: number, row: number): void {
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (this.scores[p] <= score) break;
        this.scores[i] = this.scores[p];
        this.rows[i] = this.rows[p];
        i = p;
      }
      this.scores[i] = score;
      this.rows[i] = row;
      return;
    }
    if (score <= this.scores[0]) return;
    // Replace the root and sift down.
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.k) break;
      const c = l + 1 < this.k && this.scores[l + 1] < this.scores[l] ? l + 1 : l;
      if (this.scores[c] >= score) break;
      this.scores[i] = this.scores[c];
      this.rows[i] = this.rows[c];
      i = c;
    }
    this.scores[i] = score;
    this.rows[i] = row;
  }

  /** Kept (row, score) pairs, best first; ties by row. */
  sorted(): { row: number; score: number }[] {
    const out = Array.from({ length: this.size }, (_, i) => ({ row: this.rows[i], score: this.scores[i] }));
    return out.sort(bestFirst);
  }
}

/** The order of ranked results: higher score first, equal scores by ascending row. */
export function bestFirst(a: { row: number; score: number }, b: { row: number; score: number }): number {
  return b.score - a.score || a.row - b.row;
}
