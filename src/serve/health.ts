/**
 * Liveness and readiness. A probe searches the index for its first and last objects and expects finite,
 * positive scores: random bytes in a code file give NaN or ∞, a truncated LanceDB file an error. `sadsl serve`
 * runs it before it listens (a corrupt index is an error at start, not on the first request); while it runs,
 * /healthz is 503 once the backend fails a probe and /readyz is 503 until the model and dataset are loaded
 * and the index has answered, and whenever the backend fails. A probe's verdict is reused for `probeInterval`
 * ms, so probes cost nothing however often they come (they are not rate-limited).
 */
import { formatRef } from '../data/refs.js';
import { ModelError } from '../errors.js';
import type { Searcher } from '../search/searcher.js';

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0];

/** Searches the index for its first and last objects; throws a ModelError naming what failed. */
export async function probeIndex(searcher: Searcher): Promise<void> {
  const { manifest } = searcher;
  for (const row of new Set([0, manifest.n - 1].filter((r) => r >= 0))) {
    const id = formatRef(manifest.split, row);
    let score: number | undefined;
    try {
      score = (await searcher.search((await searcher.query({ id })).code, 1))[0]?.score;
    } catch (e) {
      throw new ModelError(`the ${searcher.backend.name} backend fails a probe search for ${id} (${firstLine(e)}); the index is corrupt or truncated: rebuild it with sadsl index`);
    }
    if (score === undefined || !Number.isFinite(score) || score <= 0) {
      throw new ModelError(`a probe search for ${id} scores ${score}, not a finite positive number: the index's codes are corrupt; rebuild it with sadsl index`);
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
