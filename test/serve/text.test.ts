/** The service on a document index: text queries, segment explanations, and text-specific bad input. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/registry.js';
import type { TextSplit } from '../../src/data/types.js';
import { initEngine } from '../../src/engine/backend.js';
import { Searcher } from '../../src/search/searcher.js';
import { createApp } from '../../src/serve/app.js';
import { tinyIndex } from '../search/tiny-index.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'sadsl-text-'));
let app: FastifyInstance;
let searcher: Searcher;
let doc: string;

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  const t = await tinyIndex(tmp, 'text');
  searcher = await Searcher.open(t.indexDir);
  app = await createApp(searcher);
  doc = ((await loadDataset('sample-text')).train as TextSplit).texts[4];
});
afterAll(async () => {
  await app.close();
  await searcher.close();
  rmSync(tmp, { recursive: true, force: true });
});

const json = (body: unknown): InjectOptions => ({ method: 'POST', url: '/search', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });

describe('service on documents', () => {
  it('a pasted copy of an indexed document finds it first; previews and segments come back', async () => {
    const r = await app.inject(json({ text: doc, k: 3 }));
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.hits[0].id).toBe('train:4');
    expect(body.hits[0].preview).toBe(doc.slice(0, 240));
    const e = (await app.inject(`/explain?a=${body.query.id}&b=train:4`)).json();
    expect(e.layout.kind).toBe('segments');
    expect(e.layout.a).toEqual(e.layout.b);
    expect(e.layout.a.flat().length).toBeGreaterThan(0);
    expect(e.layout.a.every((seg: string[]) => seg.length <= 8)).toBe(true);
    expect((await app.inject('/object/train:4')).body).toBe(doc);
  });

  it.each([
    ['empty text', json({ text: '' }), 400, /text: is empty/],
    ['blank text', json({ text: '   \n ' }), 400, /text: is empty/],
    ['no vocabulary word', json({ text: 'zzqx qqzv' }), 400, /no word of the model's vocabulary/],
  ] as [string, InjectOptions, number, RegExp][])('bad input: %s', async (_n, req, status, pattern) => {
    const r = await app.inject(req);
    expect(r.statusCode).toBe(status);
    expect(r.json().error).toMatch(pattern);
  });

  it('an image upload to a document index is refused before decoding, raw or in a part', async () => {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).png().toBuffer();
    const raw = await app.inject({ method: 'POST', url: '/search', headers: { 'content-type': 'image/png' }, payload: png });
    expect(raw.statusCode).toBe(415);
    expect(raw.json()).toEqual({ error: 'image: this index holds documents, not images; send {"text": …} as JSON or a multipart field "text"' });
    const payload = Buffer.concat([Buffer.from('--b\r\nContent-Disposition: form-data; name="f"; filename="q.png"\r\nContent-Type: image/png\r\n\r\n'), png, Buffer.from('\r\n--b--\r\n')]);
    const part = await app.inject({ method: 'POST', url: '/search', headers: { 'content-type': 'multipart/form-data; boundary=b' }, payload });
    expect(part.statusCode).toBe(415);
    expect(part.json().error).toMatch(/^multipart: the file part "f": this index holds documents, not images/);
    // The same document as a multipart field is searched.
    const field = await app.inject({ method: 'POST', url: '/search?k=1', headers: { 'content-type': 'multipart/form-data; boundary=b' }, payload: `--b\r\nContent-Disposition: form-data; name="text"\r\n\r\n${doc}\r\n--b--\r\n` });
    expect(field.json().hits[0].id).toBe('train:4');
  });
});
