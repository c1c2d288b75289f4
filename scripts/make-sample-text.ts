/**
 * Writes `samples/text/20news-4.jsonl.gz` (the `sample-text` dataset): every bydate train/test post of four
 * newsgroups, headers stripped as the 20news loader does, one `{"text", "label", "split", "source"}` per line.
 * Usage: `npx tsx scripts/make-sample-text.ts [path/to/20news-bydate.tar.gz]`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PACKAGE_ROOT } from '../src/data/paths.js';
import { loadNewsgroups } from '../src/data/text/newsgroups.js';
import { SAMPLE_TEXT_FILE } from '../src/data/text/sample.js';

const GROUPS = ['comp.graphics', 'rec.sport.hockey', 'sci.space', 'talk.politics.mideast'];
const source = process.argv[2] ?? join(PACKAGE_ROOT, '..', 'shared', 'datasets', '20news-bydate.tar.gz');

const d = await loadNewsgroups(source);
const lines: string[] = [];
for (const split of ['train', 'test'] as const) {
  const s = d[split];
  for (let i = 0; i < s.n; i++) {
    const label = d.classes[s.labels[i]];
    if (GROUPS.includes(label)) lines.push(JSON.stringify({ text: s.texts[i], label, split, source: s.sources![i] }));
  }
}
const gz = gzipSync(lines.join('\n') + '\n', { level: 9 });
writeFileSync(SAMPLE_TEXT_FILE, gz);
console.log(`${SAMPLE_TEXT_FILE}: ${lines.length} posts, ${(gz.length / 2 ** 20).toFixed(2)} MiB`);
