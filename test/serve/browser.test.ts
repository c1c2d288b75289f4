/**
 * End to end in headless Chromium (test/support/browser.ts, driven by playwright-core): upload an image, see
 * results, open an explanation, visit the topic gallery; screenshots go to artifacts/.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/registry.js';
import type { ImageSplit } from '../../src/data/types.js';
import { initEngine } from '../../src/engine/backend.js';
import { startServer, type RunningServer } from '../../src/serve/server.js';
import { tinyIndex } from '../search/tiny-index.js';
import { launchBrowser } from '../support/browser.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'sadsl-browser-'));
const artifacts = path.resolve('artifacts');
let server: RunningServer;
let chrome: Browser;
let browser: BrowserContext;
let upload: string;

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  const t = await tinyIndex(tmp);
  server = await startServer({ index: t.indexDir, port: 0 });
  const split = (await loadDataset('sample-images')).test as ImageSplit;
  const size = split.height * split.width;
  upload = path.join(tmp, 'query.png');
  writeFileSync(upload, await sharp(Buffer.from(split.pixels.subarray(0, size)), { raw: { width: 28, height: 28, channels: 1 } }).resize(112, 112).png().toBuffer());
  mkdirSync(artifacts, { recursive: true });
  chrome = await launchBrowser();
  browser = await chrome.newContext({ viewport: { width: 1200, height: 900 } });
});
afterAll(async () => {
  await browser?.close();
  await chrome?.close();
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('web explorer', () => {
  it('upload → results → explanation, and a database click → results', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.locator('#browse .item').first().waitFor();
    await page.locator('#upload').setInputFiles(upload);
    await page.locator('#results .result').first().waitFor();
    expect(await page.locator('#results .result').count()).toBe(12);
    expect(await page.locator('#status').textContent()).toMatch(/12 hits/);
    await page.locator('#results .result').first().click();
    await page.locator('#explain .topic-bar').first().waitFor();
    expect(await page.locator('#explain canvas.heatmap').count()).toBe(2);
    expect(await page.locator('#explain h3').textContent()).toMatch(/^s\(query:\d+, train:\d+\) = /);
    await page.locator('#explain .topic-bar').first().click();
    await page.locator('#explain h3', { hasText: 'topic' }).waitFor();
    await page.waitForTimeout(200); // let the heat-map images draw
    await page.screenshot({ path: path.join(artifacts, 'serve-explain.png'), fullPage: true });
    // Clicking a database object searches by its id; it is its own best hit.
    await page.locator('#browse .item').nth(3).click();
    await page.locator('#query-show', { hasText: 'train:3' }).waitFor();
    await expect.poll(() => page.locator('#results .result').first().getAttribute('data-id')).toBe('train:3');
    // A bad topic weight shows the service's error.
    await page.fill('#topics', '99:1');
    await page.locator('#browse .item').nth(1).click();
    await page.locator('#error', { hasText: 'out of range' }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('topic gallery', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/gallery`);
    await page.locator('.topic-card').first().waitFor();
    expect(await page.locator('.topic-card').count()).toBe(4);
    await page.screenshot({ path: path.join(artifacts, 'serve-gallery.png'), fullPage: true });
    await page.close();
  });
});
