import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { loadJsonl, openJsonl } from '../../../src/data/text/jsonl.js';
import { DataError } from '../../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'sadsl-jsonl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const opts = { seed: 1, testFraction: 0.5 };

function file(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}
const lines = (...objs: unknown[]): string => objs.map((o) => JSON.stringify(o)).join('\n') + '\n';

describe('loadJsonl', () => {
  it('reads text/label/split lines (gzipped too), numeric labels sorted by value', async () => {
    const content = lines(
      { text: 'ten a', label: 10, split: 'train' },
      { text: 'nine a', label: 9, split: 'train', source: 'doc-9a' },
      { text: 'ten b', label: 10, split: 'test' },
      { text: 'nine b', label: 9, split: 'test' },
    );
    const p = file('numbers.jsonl', `${content}\n\n`); // blank lines are skipped
    const d = await loadJsonl(p, opts);
    expect(d.name).toBe('numbers');
    expect(d.classes).toEqual(['9', '10']);
    expect(d.splitInfo).toEqual({ kind: 'given' });
    expect(d.train.texts).toEqual(['ten a', 'nine a']);
    expect(Array.from(d.train.labels)).toEqual([1, 0]);
    expect(d.train.sources).toEqual([`${p}:1`, 'doc-9a']);
    expect(Array.from(d.test.labels)).toEqual([1, 0]);
    const gz = await loadJsonl(file('numbers.jsonl.gz', gzipSync(content)), opts);
    expect(gz.train.texts).toEqual(d.train.texts);
    expect(gz.name).toBe('numbers');
  });

  it('makes a seeded stratified split when lines carry no split', async () => {
    const objs = ['a', 'a', 'b', 'b', 'b', 'b'].map((label, i) => ({ text: `t${i}`, label }));
    const d = await loadJsonl(file('strings.jsonl', lines(...objs)), opts);
    expect(d.classes).toEqual(['a', 'b']);
    expect(d.splitInfo).toEqual({ kind: 'stratified', seed: 1, testFraction: 0.5 });
    expect(d.train.n).toBe(3);
    expect(Array.from(d.test.labels).sort()).toEqual([0, 1, 1]);
  });

  it.each([
    ['loadJsonl', loadJsonl],
    ['openJsonl (streamed)', openJsonl],
  ] as const)('%s rejects bad lines with a DataError naming the file and line', async (_, loadJsonl) => {
    const cases: [string, RegExp][] = [
      [`${JSON.stringify({ text: 'x', label: 'a' })}\n{"text": "y", "label"`, /bad\.jsonl:2: not valid JSON$/],
      ['[1, 2]', /bad\.jsonl:1: not a JSON object/],
      [lines({ label: 'a' }), /bad\.jsonl:1: "text" must be a string/],
      [lines({ text: 'x' }), /bad\.jsonl:1: "label" must be/],
      [lines({ text: 'x', label: true }), /"label" must be/],
      [lines({ text: 'x', label: 'a', split: 'dev' }), /bad\.jsonl:1: "split" must be "train" or "test"/],
      [lines({ text: 'x', label: 'a', split: 'train' }, { text: 'y', label: 'a' }), /bad\.jsonl:2: "split" must be on every line or on none/],
      ['\n\n', /bad\.jsonl: no documents found/],
    ];
    for (const [content, re] of cases) {
      const p = file('bad.jsonl', content);
      await expect(loadJsonl(p, opts)).rejects.toThrow(DataError);
      await expect(loadJsonl(p, opts)).rejects.toThrow(re);
    }
    await expect(loadJsonl(join(dir, 'absent.jsonl'), opts)).rejects.toThrow(/absent\.jsonl: cannot read \(ENOENT\)/);
    const gz = gzipSync(lines({ text: 'x', label: 'a' }));
    await expect(loadJsonl(file('cut.jsonl.gz', gz.subarray(0, gz.length - 6)), opts)).rejects.toThrow(/cut\.jsonl\.gz: truncated or corrupt gzip/);
  });
});
