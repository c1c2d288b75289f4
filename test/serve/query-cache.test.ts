import { describe, expect, it } from 'vitest';
import type { Split } from '../../src/data/types.js';
import { QueryCache } from '../../src/serve/query-cache.js';

const split = { kind: 'image', n: 1 } as unknown as Split;

describe('QueryCache', () => {
  it('holds at most its capacity: the oldest uploads are dropped, the newest answer by id', () => {
    const c = new QueryCache(3);
    const objects = Array.from({ length: 1000 }, (_, i) => ({ split, indices: [i] }));
    const ids = objects.map((o) => c.add(o));
    expect(ids.slice(0, 3)).toEqual(['query:0', 'query:1', 'query:2']);
    expect(c.size).toBe(3);
    expect(c.get('query:996')).toBeUndefined();
    expect(c.get('query:0')).toBeUndefined();
    expect([997, 998, 999].map((i) => c.get(`query:${i}`))).toEqual([objects[997], objects[998], objects[999]]);
  });
});
