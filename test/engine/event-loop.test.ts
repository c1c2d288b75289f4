import { describe, expect, it } from 'vitest';
import { yieldToEventLoop } from '../../src/engine/event-loop.js';

describe('yieldToEventLoop', () => {
  it('lets a queued macrotask run, which awaiting a resolved promise does not', async () => {
    let fired = false;
    setImmediate(() => {
      fired = true;
    });
    await Promise.resolve();
    expect(fired).toBe(false);
    await yieldToEventLoop();
    expect(fired).toBe(true);
  });
});
