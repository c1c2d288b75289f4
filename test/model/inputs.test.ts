import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/engine/tf.js';
import { initEngine } from '../../src/engine/backend.js';
import type { EncodedTexts, ImageSplit } from '../../src/data/types.js';
import { batchSize, disposeInputs, imageInputs, sliceInputs, textInputs } from '../../src/model/inputs.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu' });
});

describe('inputs', () => {
  it('imageInputs scales bytes to [-1, 1] in the order of the indices', () => {
    const split: ImageSplit = {
      kind: 'image',
      n: 3,
      height: 1,
      width: 2,
      channels: 1,
      pixels: Uint8Array.from([0, 255, 51, 102, 127, 128]),
      labels: Int32Array.from([0, 1, 2]),
    };
    const x = imageInputs(split, [2, 0]);
    if (x.domain !== 'image') throw new Error('domain');
    expect(x.images.shape).toEqual([2, 1, 2, 1]);
    expect(Array.from(x.images.dataSync())).toEqual([127 / 127.5 - 1, 128 / 127.5 - 1, -1, 1].map((v) => expect.closeTo(v, 6)));
    expect(batchSize(x)).toBe(2);
    expect(() => imageInputs(split, [3])).toThrow(/index 3 out of range/);
    expect(() => imageInputs(split, [])).toThrow(/empty batch/);
    disposeInputs(x);
  });

  it('textInputs: int32 ids, token mask, bag of words normalised (empty document → zeros)', () => {
    const enc: EncodedTexts = {
      n: 2,
      maxLength: 4,
      vocabSize: 3,
      ids: Int32Array.from([2, 3, 2, 0, 0, 0, 0, 0]),
      bow: { rows: 2, cols: 3, indptr: Int32Array.from([0, 2, 2]), indices: Int32Array.from([1, 2]), values: Float32Array.from([3, 1]) },
    };
    const x = textInputs(enc, [0, 1]);
    if (x.domain !== 'text') throw new Error('domain');
    expect(x.ids.dtype).toBe('int32');
    expect(x.ids.arraySync()).toEqual([
      [2, 3, 2, 0],
      [0, 0, 0, 0],
    ]);
    expect(x.mask.arraySync()).toEqual([
      [1, 1, 1, 0],
      [0, 0, 0, 0],
    ]);
    expect(x.bow.arraySync()).toEqual([
      [0, 0.75, 0.25],
      [0, 0, 0],
    ]);
    const one = sliceInputs(x, 1, 2);
    expect(batchSize(one)).toBe(1);
    disposeInputs(one);
    disposeInputs(x);
    expect(tf.memory().numTensors).toBe(0);
  });
});
