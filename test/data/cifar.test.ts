import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCifar10, parseCifarBatch, parseCifarMeta } from '../../src/data/image/cifar.js';
import { DataError } from '../../src/errors.js';
import { cifarBatch, tempDir } from './fixtures.js';

const NAMES = 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n';

function writeCifar(dir: string): void {
  for (let b = 1; b <= 5; b++) writeFileSync(join(dir, `data_batch_${b}.bin`), cifarBatch([b, (b + 3) % 10]));
  writeFileSync(join(dir, 'test_batch.bin'), cifarBatch([9, 0, 4]));
  writeFileSync(join(dir, 'batches.meta.txt'), NAMES);
}

describe('CIFAR-10 binary batches', () => {
  it('converts planar RGB records to interleaved [n, 32, 32, 3] pixels', () => {
    const { pixels, labels } = parseCifarBatch(cifarBatch([3, 7]), 10, 'b.bin');
    expect([...labels]).toEqual([3, 7]);
    expect(pixels.length).toBe(2 * 32 * 32 * 3);
    // image 1, pixel 300: R = 1, G = 300 mod 256 = 44, B = 254
    const o = (1 * 1024 + 300) * 3;
    expect([...pixels.subarray(o, o + 3)]).toEqual([1, 44, 254]);
  });

  it('loads the five training batches, the test batch and the class names', async () => {
    const dir = tempDir();
    writeCifar(dir);
    const ds = await loadCifar10(dir, 'cifar10:' + dir);
    expect(ds.classes).toHaveLength(10);
    expect(ds.classes[9]).toBe('truck');
    expect(ds.train).toMatchObject({ n: 10, height: 32, width: 32, channels: 3 });
    expect([...ds.train.labels]).toEqual([1, 4, 2, 5, 3, 6, 4, 7, 5, 8]);
    expect([...ds.test.labels]).toEqual([9, 0, 4]);
  });

  it('rejects partial records, bad labels, missing batches and meta files', async () => {
    expect(() => parseCifarBatch(cifarBatch([1]).subarray(0, 3000), 10, 'b.bin')).toThrow(/^b\.bin: 3000 bytes is not a whole number of 3073-byte CIFAR records$/);
    expect(() => parseCifarBatch(cifarBatch([1, 12]), 10, 'b.bin')).toThrow('b.bin: label 12 of record 1 is not below 10');
    expect(() => parseCifarMeta('only-one\n', 'm.txt')).toThrow(DataError);
    const empty = tempDir();
    await expect(loadCifar10(empty, 'cifar10:x')).rejects.toThrow(/no CIFAR-10 binary batches/);
    const dir = tempDir();
    writeCifar(dir);
    writeFileSync(join(dir, 'data_batch_3.bin'), cifarBatch([1]).subarray(0, 100));
    await expect(loadCifar10(dir, 'cifar10:x')).rejects.toThrow(`${join(dir, 'data_batch_3.bin')}: 100 bytes`);
  });

  it('fuzz: truncations and byte flips load consistently or throw DataError', () => {
    const good = cifarBatch([0, 5, 9]);
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean(), (at, bits, truncate) => {
        const b = new Uint8Array(good);
        const buf = truncate ? b.subarray(0, at % b.length) : ((b[at % b.length] ^= bits), b);
        try {
          const { pixels, labels } = parseCifarBatch(buf, 10, 'f.bin');
          expect(pixels.length).toBe(labels.length * 3072);
          expect(labels.every((c) => c < 10)).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(DataError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
