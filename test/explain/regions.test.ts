import { describe, expect, it } from 'vitest';
import { regionCell, regionContributions, regionGrid, topTopics } from '../../src/explain/regions.js';
import type { Explanation } from '../../src/model/types.js';

// Two regions, three topics; Σ = 0.1 + 0.2 - 0.05 + 0.3 + 0 + 0.05 = 0.6.
const e: Explanation = {
  score: 0.6,
  topics: [
    { topic: 0, contribution: 0.4 },
    { topic: 1, contribution: 0.2 },
    { topic: 2, contribution: 0 },
  ],
  regions: {
    a: [
      [0.1, 0.2, -0.05],
      [0.3, 0, 0.05],
    ],
    b: [
      [0.2, 0.1, 0],
      [0.2, 0.1, 0],
    ],
  },
};

describe('regions', () => {
  it('grid of the encoder: two stride-2 4×4 convolutions', () => {
    expect(regionGrid({ domain: 'image', height: 28, width: 28, channels: 1 })).toEqual({ gh: 7, gw: 7, height: 28, width: 28 });
    expect(regionGrid({ domain: 'image', height: 32, width: 12, channels: 3 })).toEqual({ gh: 8, gw: 3, height: 32, width: 12 });
  });

  it('cells are the pixel blocks of the grid, row-major', () => {
    const g = regionGrid({ domain: 'image', height: 28, width: 28, channels: 1 });
    expect(regionCell(g, 0)).toEqual({ y0: 0, y1: 4, x0: 0, x1: 4 });
    expect(regionCell(g, 9)).toEqual({ y0: 4, y1: 8, x0: 8, x1: 12 });
    expect(regionCell(g, 48)).toEqual({ y0: 24, y1: 28, x0: 24, x1: 28 });
    // 10 pixels over a 3-cell grid: 0..3, 3..6, 6..10
    const odd = { gh: 1, gw: 3, height: 1, width: 10 };
    expect([0, 1, 2].map((r) => regionCell(odd, r))).toEqual([
      { y0: 0, y1: 1, x0: 0, x1: 3 },
      { y0: 0, y1: 1, x0: 3, x1: 6 },
      { y0: 0, y1: 1, x0: 6, x1: 10 },
    ]);
  });

  it('region contributions sum the topics, or the chosen ones', () => {
    expect(regionContributions(e, 'a')[0]).toBeCloseTo(0.25, 12);
    expect(regionContributions(e, 'a')[1]).toBeCloseTo(0.35, 12);
    expect(regionContributions(e, 'a', [1])).toEqual([0.2, 0]);
    expect(regionContributions(e, 'b', [0, 2])).toEqual([0.2, 0.2]);
  });

  it('top topics by contribution', () => {
    expect(topTopics(e, 2).map((t) => t.topic)).toEqual([0, 1]);
  });
});
