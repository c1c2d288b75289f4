/** The service through fastify's inject: good requests, and every bad input gets a clear 4xx JSON error. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../src/engine/backend.js';
import { Searcher } from '../../src/search/searcher.js';
import { createApp } from '../../src/serve/app.js';
import { tinyIndex } from '../search/tiny-index.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'sadsl-app-'));
let app: FastifyInstance;
let searcher: Searcher;
let png: Buffer;

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  const t = await tinyIndex(tmp);
  searcher = await Searcher.open(t.indexDir);
  app = await createApp(searcher, { uploadLimit: 64 * 1024, maxK: 50 });
  png = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 200, g: 30, b: 90 } } }).png().toBuffer();
});
afterAll(async () => {
  await app.close();
  await searcher.close();
  rmSync(tmp, { recursive: true, force: true });
});

const json = (body: unknown): InjectOptions => ({ method: 'POST', url: '/search', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });

function multipartBody(name: string, filename: string, type: string, data: Buffer): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----sadsltest';
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`);
  return { payload: Buffer.concat([head, data, Buffer.from(`\r\n--${boundary}--\r\n`)]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe('service', () => {
  it('searches by id with steering; contributions sum to scores', async () => {
    const r = await app.inject(json({ id: 'train:5', k: 4, topicWeights: { '2': 0, '0': 2 } }));
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.query.id).toBe('train:5');
    expect(body.hits).toHaveLength(4);
    for (const h of body.hits) {
      expect(h.contributions[2]).toBe(0);
      expect(h.contributions.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(h.score, 5);
      expect(typeof h.className).toBe('string');
    }
    expect(body.hits[0].score).toBeGreaterThanOrEqual(body.hits[3].score);
  });

  it('accepts raw and multipart image uploads, and explains (upload, hit)', async () => {
    const raw = await app.inject({ method: 'POST', url: '/search?k=3&topics=1:0', headers: { 'content-type': 'image/png' }, payload: png });
    expect(raw.statusCode).toBe(200);
    const body = raw.json();
    expect(body.query.id).toMatch(/^query:\d+$/);
    expect(body.hits[0].contributions[1]).toBe(0);
    const mp = multipartBody('image', 'q.png', 'image/png', png);
    const viaForm = await app.inject({ method: 'POST', url: '/search?k=3&topics=1:0', ...mp });
    expect(viaForm.statusCode).toBe(200);
    expect(viaForm.json().hits.map((h: { id: string }) => h.id)).toEqual(body.hits.map((h: { id: string }) => h.id));
    const e = await app.inject(`/explain?a=${body.query.id}&b=${body.hits[0].id}`);
    expect(e.statusCode).toBe(200);
    const ex = e.json();
    expect(ex.layout).toEqual({ kind: 'grid', rows: 7, cols: 7 });
    expect(ex.regions.a).toHaveLength(49);
    expect(ex.topics.reduce((a: number, t: { contribution: number }) => a + t.contribution, 0)).toBeCloseTo(ex.score, 4);
    const obj = await app.inject(`/object/${body.query.id}`);
    expect(obj.headers['content-type']).toBe('image/png');
  });

  it('serves topics, objects, health and the page', async () => {
    const topics = (await app.inject('/topics')).json();
    expect(topics.topics).toBe(4);
    expect(topics.items[0].top.length).toBeGreaterThan(0);
    expect(topics.items.reduce((a: number, t: { usage: number }) => a + t.usage, 0)).toBeCloseTo(1, 3);
    expect((await app.inject('/topics/0/render.png')).headers['content-type']).toBe('image/png');
    expect((await app.inject('/object/test:1')).headers['content-type']).toBe('image/png');
    expect((await app.inject('/healthz')).json()).toMatchObject({ status: 'ok', backend: 'exact', topics: 4 });
    const page = await app.inject('/');
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('/app.js');
    // The page's script is client.ts bundled with the server's topic-weight parser: no imports left, and it
    // parses as a classic script.
    const script = await app.inject('/app.js');
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toMatch(/text\/javascript/);
    expect(script.body).not.toMatch(/^\s*import\s/m);
    expect(script.body).toContain('expected topic:weight pairs');
    expect(() => new Function(script.body)).not.toThrow();
    expect((await app.inject('/info')).json()).toMatchObject({ objects: 2000, domain: 'image', topics: 4, maxK: 50 });
  });

  // Each bad input: [request, status, message pattern]. Exported in the report.
  const huge = Buffer.alloc(100 * 1024, 1);
  const cases: [string, InjectOptions, number, RegExp][] = [
    ['text/plain body', { method: 'POST', url: '/search', headers: { 'content-type': 'text/plain' }, payload: 'hello' }, 415, /unsupported content type/],
    ['no content type', { method: 'POST', url: '/search', payload: 'hello' }, 415, /unsupported content type/],
    ['malformed JSON', { method: 'POST', url: '/search', headers: { 'content-type': 'application/json' }, payload: '{"id": ' }, 400, /JSON/i],
    ['empty JSON object', json({}), 400, /exactly one of "id" or "text"/],
    ['both id and text', json({ id: 'train:0', text: 'x' }), 400, /exactly one of/],
    ['unknown field', json({ id: 'train:0', foo: 1 }), 400, /foo/],
    ['unknown id', json({ id: 'train:99999' }), 404, /train:99999 is not an object/],
    ['malformed id', json({ id: 'banana' }), 400, /expected split:index/],
    ['k = 0', json({ id: 'train:0', k: 0 }), 400, /k: must be an integer in 1\.\.50/],
    ['k too large', json({ id: 'train:0', k: 51 }), 400, /k: must be an integer in 1\.\.50/],
    ['k not an integer', json({ id: 'train:0', k: 2.5 }), 400, /k/],
    ['negative topic weight', json({ id: 'train:0', topicWeights: { '1': -1 } }), 400, /topicWeights/],
    ['topic out of range', json({ id: 'train:0', topicWeights: { '9': 1 } }), 400, /topic 9 is out of range/],
    ['empty text (image index)', json({ text: '' }), 400, /holds images/],
    ['not an image', { method: 'POST', url: '/search', headers: { 'content-type': 'image/png' }, payload: Buffer.from('not a png at all') }, 415, /image: not a PNG, JPEG or WebP image/],
    ['empty image body', { method: 'POST', url: '/search', headers: { 'content-type': 'image/jpeg' }, payload: Buffer.alloc(0) }, 400, /empty/],
    ['oversized raw upload', { method: 'POST', url: '/search', headers: { 'content-type': 'image/png' }, payload: huge }, 413, /65536 byte limit/],
    ['oversized multipart upload', { method: 'POST', url: '/search', ...multipartBody('image', 'big.png', 'image/png', huge) }, 413, /65536 byte limit/],
    ['multipart without file', { method: 'POST', url: '/search', headers: { 'content-type': 'multipart/form-data; boundary=x' }, payload: '--x\r\nContent-Disposition: form-data; name="other"\r\n\r\nv\r\n--x--\r\n' }, 400, /expected a file part/],
    ['bad k in upload query', { method: 'POST', url: '/search?k=abc', headers: { 'content-type': 'image/png' }, payload: png }, 400, /k/],
    ['bad topics in upload query', { method: 'POST', url: '/search?topics=3=2', headers: { 'content-type': 'image/png' }, payload: png }, 400, /topic:weight/],
    ['explain without b', { method: 'GET', url: '/explain?a=train:0' }, 400, /b/],
    ['explain unknown id', { method: 'GET', url: '/explain?a=train:0&b=test:99999' }, 404, /test:99999/],
    ['explain expired query', { method: 'GET', url: '/explain?a=query:99999&b=train:0' }, 404, /not a recent query/],
    ['object unknown id', { method: 'GET', url: '/object/train:99999' }, 404, /not an object/],
    ['topic render out of range', { method: 'GET', url: '/topics/9/render.png' }, 404, /topic 9 does not exist/],
    ['unknown route', { method: 'GET', url: '/nope' }, 404, /no route GET \/nope/],
    ['GET /search', { method: 'GET', url: '/search' }, 405, /method GET not allowed on \/search/],
  ];
  it.each(cases)('bad input: %s → 4xx JSON error', async (_name, req, status, pattern) => {
    const r = await app.inject(req);
    expect(r.statusCode).toBe(status);
    expect(r.headers['content-type']).toMatch(/application\/json/);
    expect(r.json().error).toMatch(pattern);
  });

  it('still answers after all the bad input', async () => {
    expect((await app.inject('/healthz')).statusCode).toBe(200);
  });
});
