/** Seeded stratified train/test split, used when a source does not give its own split. */
import { Rng } from '../engine/random.js';

/**
 * Splits object indices so every class keeps `testFraction` of its objects (rounded, at least one in each
 * split when the class has two or more). Returns sorted index lists.
 */
export function stratifiedSplit(
  labels: ArrayLike<number>,
  testFraction: number,
  seed: number,
): { train: number[]; test: number[] } {
  const rng = new Rng(seed);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (!byClass.has(c)) byClass.set(c, []);
    byClass.get(c)!.push(i);
  }
  const train: number[] = [];
  const test: number[] = [];
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const idx = rng.shuffle(byClass.get(c)!) as number[];
    let nTest = Math.round(idx.length * testFraction);
    if (idx.length >= 2) nTest = Math.min(Math.max(nTest, 1), idx.length - 1);
    test.push(...idx.slice(0, nTest));
    train.push(...idx.slice(nTest));
  }
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}
