/**
 * Liveness and readiness. A probe searches the index for its first and last objects and checks their codes
 * and the best hit's score: random bytes in a code file give codes far from unit length, NaN or ∞, a
 * truncated LanceDB file an error. `sadsl serve`
 * runs it before it listens (a corrupt index is an error at start, not on the first request); while it runs,
 * /healthz is 503 once the backend fails a probe and /readyz is 503 until the model and dataset are loaded
 * and the index has answered, and whenever the backend fails. A probe's verdict is reused for `probeInterval`
 * ms, so probes cost nothing however often they come (they are not rate-limited).
 */
import { formatRef } from '../data/refs.js';
import { ModelError } from '../errors.js';
import { NORM_SLACK } from '../search/compact.js';
import type { Searcher } from '../search/searcher.js';

/** An error's first line without the Rust source locations LanceDB appends (`, /rustc/…/function.rs:250:5`). */
const firstLine = (e: unknown) =>
  (e instanceof Error ? e.message : String(e))
    .split('\n')[0]
    .replace(/,?\s*\S+\.rs:\d+:\d+/g, '');

/**
 * Whether a stored code can be a code: finite, with a squared norm in (0, 1] (unit-norm z, or less of it kept)
 * up to the rounding of its dtype (`NORM_SLACK`).
 */
function plausible(code: Float32Array, slack: number): boolean {
  let norm2 = 0;
  for (const v of code) norm2 += v * v;
  return Number.isFinite(norm2) && norm2 > 0 && norm2 <= 1 + slack;
}

/**
 * Searches the index for its first and last objects: their stored codes must be plausible (random bytes are
 * not) and the best hit's score an inner product of such codes, in [−1, 1]. Throws a ModelError naming what
 * failed.
 */
export async function probeIndex(searcher: Searcher): Promise<void> {
  const { manifest } = searcher;
  const slack = NORM_SLACK[manifest.codes.params.dtype];
  for (const row of new Set([0, manifest.n - 1].filter((r) => r >= 0))) {
    const id = formatRef(manifest.split, row);
    let code: Float32Array;
    let score: number | undefined;
    try {
      code = (await searcher.query({ id })).code;
      score = plausible(code, slack) ? (await searcher.search(code, 1))[0]?.score : undefined;
    } catch (e) {
      throw new ModelError(`the ${searcher.backend.name} backend fails a probe search for ${id} (${firstLine(e)}); the index is corrupt or truncated: rebuild it with sadsl index`);
    }
    if (!plausible(code, slack)) throw new ModelError(`the stored code of ${id} is not finite or longer than 1: the index's codes are corrupt; rebuild it with sadsl index`);
    if (score === undefined || !(Math.abs(score) <= 1 + slack)) {
      throw new ModelError(`a probe search for ${id} scores ${score}, outside [-1, 1]: the index's codes are corrupt; rebuild it with sadsl index`);
    }
  }
}

/** What /healthz and /readyz say: loading, ready, or the reason the service is not. */
export class Health {
  private loaded = false;
  private loadFailure: string | null = null;
  private probeFailure: string | null = null;
  private probedAt = -Infinity;
  private probing: Promise<void> | null = null;

  constructor(
    private readonly searcher: Searcher,
    private readonly probeInterval: number,
  ) {
    Promise.all([searcher.model(), searcher.dataset()]).then(
      () => {
        this.loaded = true;
      },
      (e: unknown) => {
        this.loadFailure = `loading the model and dataset failed: ${firstLine(e)}`;
      },
    );
  }

  /** Null when the service can answer searches, else why not (details of a failure go to stderr, not here). */
  async unhealthy(): Promise<string | null> {
    if (this.loadFailure) return this.loadFailure;
    if (performance.now() - this.probedAt >= this.probeInterval) {
      this.probing ??= probeIndex(this.searcher)
        .then(
          () => {
            this.probeFailure = null;
          },
          (e: unknown) => {
            if (this.probeFailure === null) process.stderr.write(`sadsl serve: ${firstLine(e)}\n`);
            this.probeFailure = `the ${this.searcher.backend.name} search backend fails its probe search`;
          },
        )
        .finally(() => {
          this.probedAt = performance.now();
          this.probing = null;
        });
      await this.probing;
    }
    return this.probeFailure;
  }

  /** Null when ready for traffic, else why not. */
  async notReady(): Promise<string | null> {
    return (await this.unhealthy()) ?? (this.loaded ? null : 'loading the model and dataset');
  }
}
