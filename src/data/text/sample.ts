/**
 * `sample-text`: 4 newsgroups of 20 News (all their bydate train/test posts, headers already
 * stripped) embedded in the repo at `samples/text/20news-4.jsonl.gz`, so a fresh clone runs without a
 * download. Made by `scripts/make-sample-text.ts`.
 */
import { samplePath } from '../paths.js';
import type { TextDataset } from '../types.js';
import { loadJsonl } from './jsonl.js';

export const SAMPLE_TEXT_FILE = samplePath('text', '20news-4.jsonl.gz');

export async function loadSampleText(): Promise<TextDataset> {
  const d = await loadJsonl(SAMPLE_TEXT_FILE, { seed: 0, testFraction: 0 });
  return { ...d, spec: 'sample-text', name: 'sample-text' };
}
