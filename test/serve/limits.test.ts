/**
 * Service hardening (issue 14): slow clients are cut off at the configured timeouts, connections are capped,
 * JSON bodies have their own size and depth limits, every client mistake — multipart faults, wrong
 * methods, malformed HTTP, loose numbers, bad uploads — is a 4xx `{error}` naming what was wrong, clients
 * are rate-limited, only local Host names, same-origin pages and (with a token) its holders are answered,
 * and a corrupt index fails the start while a failing backend makes /healthz and /readyz 503.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { crc32 } from 'node:zlib';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../src/engine/backend.js';
import { ModelError } from '../../src/errors.js';
import { buildIndex } from '../../src/search/build.js';
import { FileSummer, INDEX_FILES } from '../../src/search/manifest.js';
import { Searcher } from '../../src/search/searcher.js';
import { createApp } from '../../src/serve/app.js';
import { jsonDepth } from '../../src/serve/body.js';
import { startServer } from '../../src/serve/server.js';
import { tinyIndex } from '../search/tiny-index.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'sadsl-limits-'));
let indexDir: string;
let searcher: Searcher;
/** Short timeouts, small JSON limits; listening on 127.0.0.1. */
let app: FastifyInstance;
let port: number;

beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  indexDir = (await tinyIndex(tmp)).indexDir;
  searcher = await Searcher.open(indexDir);
  app = await createApp(searcher, { requestTimeout: 600, headersTimeout: 300, jsonLimit: 2048, jsonDepth: 4, uploadLimit: 64 * 1024, uploadPixels: 10_000 });
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await app.close();
  await searcher.close();
  rmSync(tmp, { recursive: true, force: true });
});

interface Conversation {
  /** What the server sent before it closed the connection. */
  received: string;
  closedAfterMs: number;
}

/**
 * Opens a connection, lets `talk` write to it, and resolves when the server closes it, or with null once
 * `deadlineMs` passes with the connection still open.
 */
function converse(talk: (socket: net.Socket) => void, deadlineMs = 15_000, to = port): Promise<Conversation | null> {
  return new Promise((resolve) => {
    const start = performance.now();
    const socket = net.connect(to, '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(null);
    }, deadlineMs);
    socket.on('data', (d) => (received += d.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ received, closedAfterMs: performance.now() - start });
    });
    socket.on('connect', () => talk(socket));
  });
}

const head = (extra: string) => `POST /search HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n${extra}\r\n`;

describe('slow clients', () => {
  it('a partial body is answered 408 and closed after requestTimeout', async () => {
    const c = await converse((s) => s.write(`${head('Content-Length: 100\r\n')}{"id": `));
    expect(c).not.toBeNull();
    expect(c!.received).toMatch(/^HTTP\/1\.1 408/);
    expect(c!.received).toContain('{"error":"the request did not arrive within 600 ms"}');
    expect(c!.closedAfterMs).toBeGreaterThanOrEqual(500);
  });

  it('a byte-trickled body is cut off: the timeout covers the whole request, not the gaps', async () => {
    let timer: NodeJS.Timeout | undefined;
    const c = await converse((s) => {
      s.write(head('Content-Length: 1000\r\n'));
      timer = setInterval(() => s.writable && s.write(' '), 50);
    });
    clearInterval(timer);
    expect(c?.received).toMatch(/^HTTP\/1\.1 408/);
  });

  it('a chunked body that never ends is cut off', async () => {
    const c = await converse((s) => s.write(`${head('Transfer-Encoding: chunked\r\n')}5\r\n{"id"\r\n`));
    expect(c?.received).toMatch(/^HTTP\/1\.1 408/);
  });

  it('headers that never end are cut off', async () => {
    const c = await converse((s) => s.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n'));
    expect(c).not.toBeNull();
    expect(c!.received).not.toMatch(/200 OK/);
  });

  it('malformed HTTP gets a 400 in the service JSON shape', async () => {
    const c = await converse((s) => s.write('NOT HTTP AT ALL\r\n\r\n'));
    expect(c?.received).toMatch(/^HTTP\/1\.1 400/);
    expect(c?.received).toContain('{"error":"malformed HTTP request"}');
  });

  it('connections beyond maxConnections are closed; the ones held still work', async () => {
    const capped = await createApp(searcher, { maxConnections: 2 });
    await capped.listen({ port: 0, host: '127.0.0.1' });
    const p = (capped.server.address() as net.AddressInfo).port;
    const held = await Promise.all(
      [0, 1].map(
        () =>
          new Promise<net.Socket>((resolve) => {
            const s = net.connect(p, '127.0.0.1', () => resolve(s));
          }),
      ),
    );
    try {
      // The third connection sends a whole request: without the cap it would get a 200.
      const third = await converse((s) => s.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n'), 15_000, p);
      expect(third).not.toBeNull();
      expect(third!.received).toBe('');
      const answer = new Promise<string>((resolve) => held[0].once('data', (d) => resolve(d.toString())));
      held[0].write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
      expect(await answer).toMatch(/^HTTP\/1\.1 200/);
    } finally {
      for (const s of held) s.destroy();
      await capped.close();
    }
  });
});

const json = (payload: string): InjectOptions => ({ method: 'POST', url: '/search', headers: { 'content-type': 'application/json' }, payload });

describe('bodies', () => {
  it('jsonDepth counts nesting outside strings', () => {
    expect(jsonDepth('{"a": [1, {"b": []}]}', 10)).toBe(4);
    expect(jsonDepth('{"a": "[[[[{{{{"}', 10)).toBe(1);
    expect(jsonDepth('["\\"[[[", [1]]', 10)).toBe(2);
    expect(jsonDepth('1', 10)).toBe(0);
    expect(jsonDepth('['.repeat(1000), 4)).toBe(5); // stops once past the limit
  });

  it('JSON has its own size limit, far below the upload limit', async () => {
    const big = await app.inject(json(JSON.stringify({ text: 'a'.repeat(3000) })));
    expect(big.statusCode).toBe(413);
    expect(big.json().error).toBe('body: JSON larger than the 2048 byte limit');
    // A 10 kB upload is under its own limit: it reaches the decoder.
    const upload = await app.inject({ method: 'POST', url: '/search', headers: { 'content-type': 'image/png' }, payload: Buffer.alloc(10_000, 7) });
    expect(upload.statusCode).toBe(415);
    expect(upload.json().error).toBe('image: not a PNG, JPEG or WebP image');
  });

  it.each([
    ['deep array', '['.repeat(1500)],
    ['deep value inside a valid body', '{"id": "train:0", "topicWeights": {"1": [[[[1]]]]}}'],
  ])('JSON nested past jsonDepth is refused before parsing: %s', async (_name, payload) => {
    const r = await app.inject(json(payload));
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toBe('body: JSON nested deeper than 4 levels');
  });

  it('a body at the depth limit is searched', async () => {
    expect((await app.inject(json('{"id": "train:0", "k": 2, "topicWeights": {"1": 2}}'))).statusCode).toBe(200);
  });

  it.each([
    ['__proto__ key', '{"id": "train:0", "__proto__": {"k": 1}}', /body: the key "__proto__" is not allowed/],
    ['constructor key', '{"id": "train:0", "constructor": 1}', /constructor/],
    // zod drops a __proto__ key of a record: the steering would silently be lost
    ['__proto__ topic', '{"id": "train:0", "topicWeights": {"__proto__": 1}}', /body: the key "__proto__" is not allowed/],
    ['constructor topic', '{"id": "train:0", "topicWeights": {"constructor": 1}}', /topicWeights/],
    ['empty body', '', /body: empty/],
    ['malformed JSON', '{"id": ', /body: not valid JSON/],
  ])('valid JSON with odd keys, and bad JSON, get a 400 naming the problem: %s', async (_name, payload, pattern) => {
    const r = await app.inject(json(payload));
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toMatch(pattern);
  });
});

const boundary = 'sadslb';
const part = (name: string, filename: string | null, data: string) =>
  `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"\r\nContent-Type: image/png` : ''}\r\n\r\n${data}\r\n`;
const form = (body: string): InjectOptions => ({
  method: 'POST',
  url: '/search?k=1',
  headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  payload: `${body}--${boundary}--\r\n`,
});

describe('client mistakes are 4xx {error}', () => {
  const cases: [string, InjectOptions, number, RegExp][] = [
    ['empty file part', form(part('file', 'null', '')), 400, /multipart: the file part "file" is empty/],
    ['multipart without a boundary', { method: 'POST', url: '/search', headers: { 'content-type': 'multipart/form-data' }, payload: 'abc' }, 400, /^multipart: /],
    ['two file parts', form(part('a', 'a.png', 'x') + part('b', 'b.png', 'y')), 400, /multipart: send one file part/],
    ['GET /search', { method: 'GET', url: '/search' }, 405, /method GET not allowed on \/search; use POST/],
    ['DELETE /topics', { method: 'DELETE', url: '/topics' }, 405, /use GET/],
    ['POST /object/:id', { method: 'POST', url: '/object/train:1' }, 405, /use GET/],
    ['unknown path', { method: 'GET', url: '/nope' }, 404, /no route GET \/nope/],
    ['malformed percent-encoding', { method: 'GET', url: '/object/%E0%A4%A' }, 400, /url: not a valid URL/],
  ];
  it.each(cases)('%s', async (_name, req, status, pattern) => {
    const r = await app.inject(req);
    expect(r.statusCode).toBe(status);
    expect(r.headers['content-type']).toMatch(/application\/json/);
    expect(Object.keys(r.json())).toEqual(['error']);
    expect(r.json().error).toMatch(pattern);
  });

  it('405 names the allowed methods in Allow', async () => {
    expect((await app.inject({ method: 'PUT', url: '/search' })).headers.allow).toBe('POST');
  });

  it('limits are validated with errors naming them', async () => {
    await expect(createApp(searcher, { requestTimeout: 1000, headersTimeout: 2000 })).rejects.toThrow(/headersTimeout: must not exceed requestTimeout/);
    await expect(createApp(searcher, { jsonDepth: 0 })).rejects.toThrow(/jsonDepth/);
    await expect(createApp(searcher, { rateLimit: -1 })).rejects.toThrow(/rateLimit/);
    await expect(createApp(searcher, { uploadPixels: 50_000_000 })).rejects.toThrow(/uploadPixels/);
  });
});

describe('uploads', () => {
  const image = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 90 } } });
  const raw = (type: string, payload: Buffer): InjectOptions => ({ method: 'POST', url: '/search?k=5', headers: { 'content-type': type }, payload });
  const filePart = (type: string, data: Buffer): InjectOptions => {
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="q"\r\nContent-Type: ${type}\r\n\r\n`;
    return { ...form(''), url: '/search?k=5', payload: Buffer.concat([Buffer.from(head), data, Buffer.from(`\r\n--${boundary}--\r\n`)]) };
  };
  /** `png` with its IHDR patched to claim width × height, CRC recomputed: a decompression bomb's header. */
  const claiming = (png: Buffer, width: number, height: number) => {
    const b = Buffer.from(png);
    b.writeUInt32BE(width, 16);
    b.writeUInt32BE(height, 20);
    b.writeUInt32BE(crc32(b.subarray(12, 29)), 29);
    return b;
  };
  let png: Buffer;
  let pngHits: string[];
  beforeAll(async () => {
    png = await image(40, 30).png().toBuffer();
    const r = await app.inject(raw('image/png', png));
    expect(r.statusCode).toBe(200);
    pngHits = r.json().hits.map((h: { id: string }) => h.id);
  });

  it('PNG, lossless WebP and an undeclared (octet-stream) image of the same pixels find the same hits', async () => {
    const webp = await image(40, 30).webp({ lossless: true }).toBuffer();
    for (const req of [raw('image/webp', webp), raw('application/octet-stream', png), filePart('application/octet-stream', webp), filePart('image/png', png)]) {
      const r = await app.inject(req);
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().hits.map((h: { id: string }) => h.id)).toEqual(pngHits);
    }
  });

  it('each refused upload gets one 4xx {error} naming the problem, and nothing is decoded', async () => {
    const jpeg = await image(40, 30).jpeg().toBuffer();
    const svg = Buffer.from('<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><text>&x;</text></svg>');
    const cases: [string, InjectOptions, number, string | RegExp][] = [
      ['GIF as image/png', raw('image/png', await image(40, 30).gif().toBuffer()), 415, 'image: not a PNG, JPEG or WebP image'],
      ['TIFF as image/jpeg', raw('image/jpeg', await image(40, 30).tiff().toBuffer()), 415, 'image: not a PNG, JPEG or WebP image'],
      ['SVG with an external entity as image/png', raw('image/png', svg), 415, 'image: not a PNG, JPEG or WebP image'],
      ['JPEG declared as PNG', raw('image/png', jpeg), 415, 'image: declared image/png but the bytes are image/jpeg'],
      ['JPEG part declared as PNG', filePart('image/png', jpeg), 415, 'multipart: the file part "file": declared image/png but the bytes are image/jpeg'],
      ['text file part', filePart('text/plain', Buffer.from('hello')), 415, 'multipart: the file part "file" is text/plain; send an image (image/png, image/jpeg, image/webp)'],
      ['truncated PNG', raw('image/png', png.subarray(0, png.length - 30)), 400, /^image: not a decodable image \(/],
      ['random bytes', raw('application/octet-stream', Buffer.from('GIF89a but not really')), 415, 'image: not a PNG, JPEG or WebP image'],
      ['a PNG signature on garbage', raw('image/png', Buffer.concat([png.subarray(0, 8), Buffer.alloc(200, 7)])), 400, /^image: not a decodable image \(/],
      // A real 200×100 image, decodable, but above this app's 10,000-pixel limit.
      ['too many pixels', raw('image/png', await image(200, 100).png().toBuffer()), 413, 'image: 200×100 pixels is too large (at most 10000 pixels and 65536 on a side)'],
      ['a bomb\'s header', raw('image/png', claiming(png, 40_000, 40_000)), 413, 'image: 40000×40000 pixels is too large (at most 10000 pixels and 65536 on a side)'],
      ['a side libvips cannot shrink', raw('image/png', claiming(png, 1, 39_000_000)), 413, /^image: 1×39000000 pixels is too large/],
      ['a bomb in a part', filePart('image/png', claiming(png, 40_000, 40_000)), 413, /^multipart: the file part "file": 40000×40000 pixels is too large/],
      ['oversized text field', form(part('text', null, 'a'.repeat(70 * 1024))), 413, 'multipart: the field "text" is larger than the 65536 byte limit'],
    ];
    for (const [name, req, status, message] of cases) {
      const r = await app.inject(req);
      expect(r.statusCode, name).toBe(status);
      expect(Object.keys(r.json()), name).toEqual(['error']);
      expect(r.json().error, name).toMatch(message);
    }
  });
});

describe('numbers and ids are read strictly', () => {
  const upload = (query: string): InjectOptions => ({ method: 'POST', url: `/search${query}`, headers: { 'content-type': 'image/png' }, payload: Buffer.from('x') });
  const cases: [string, InjectOptions, number, RegExp][] = [
    ['hex k', upload('?k=0x10'), 400, /k: expected a decimal integer/],
    ['exponent k', upload('?k=1e1'), 400, /k: expected a decimal integer/],
    ['k with a space', upload('?k=%2016'), 400, /k: expected a decimal integer/],
    ['weight past float32', json('{"id": "train:0", "topicWeights": {"3": 1e308}}'), 400, /topicWeights\.3: a topic weight is at most 1000000/],
    ['upload weight past float32', upload('?topics=3:1e39'), 400, /topics: the weight of topic 3 is at most 1000000, got 1e\+39/],
    ['exponent topic', { method: 'GET', url: '/topics/1e1/render.png' }, 404, /topic 1e1 does not exist/],
    ['hex topic', { method: 'GET', url: '/topics/0x1/render.png' }, 404, /does not exist/],
    ['blank topic', { method: 'GET', url: '/topics/%20/render.png' }, 404, /does not exist/],
    ['id with a leading space', json('{"id": " train:5"}'), 400, /id: an id has no spaces or control characters/],
    ['id with a newline', json('{"id": "train:5\\n"}'), 400, /id: an id has no spaces/],
    ['explain id with a space', { method: 'GET', url: '/explain?a=%20train:0&b=train:1' }, 400, /a: an id has no spaces/],
    ['object id with a space', { method: 'GET', url: '/object/train:1%20' }, 400, /id: an id has no spaces/],
  ];
  it.each(cases)('%s → 4xx', async (_name, req, status, pattern) => {
    const r = await app.inject(req);
    expect(r.statusCode).toBe(status);
    expect(r.json().error).toMatch(pattern);
  });

  it('the largest weight still gives finite scores; a decimal k is read as written', async () => {
    const r = await app.inject(json('{"id": "train:0", "k": 16, "topicWeights": {"3": 1000000}}'));
    expect(r.statusCode).toBe(200);
    const hits = r.json().hits as { score: number | null }[];
    expect(hits).toHaveLength(16);
    for (const h of hits) expect(Number.isFinite(h.score)).toBe(true);
    expect((await app.inject('/topics/1/render.png')).statusCode).toBe(200);
  });
});

describe('rate limit', () => {
  const from = (remoteAddress: string, url = '/info'): InjectOptions => ({ method: 'GET', url, remoteAddress });

  it('a client past its budget gets 429 {error} with Retry-After until its window ends; others, loopback and probes are served', async () => {
    const limited = await createApp(searcher, { rateLimit: 3, rateWindow: 1500 });
    try {
      const a = '203.0.113.7';
      // Refused requests count too: a client cannot probe unknown paths for free.
      expect((await limited.inject(from(a, '/nope'))).statusCode).toBe(404);
      for (let i = 0; i < 2; i++) expect((await limited.inject(from(a))).statusCode).toBe(200);
      const over = await limited.inject(from(a));
      expect(over.statusCode).toBe(429);
      expect(over.json()).toEqual({ error: 'rate limit: more than 3 requests in 1.5 s from this client; retry in 2 seconds' });
      expect(over.headers['retry-after']).toBe('2'); // whole seconds, rounded up
      expect(over.headers['x-ratelimit-remaining']).toBe('0');
      expect((await limited.inject(from(a, '/search'))).statusCode).toBe(429);
      // Another address, the probe, and loopback clients (not counted by default) are served meanwhile.
      expect((await limited.inject(from('203.0.113.8'))).statusCode).toBe(200);
      expect((await limited.inject(from(a, '/healthz'))).statusCode).toBe(200);
      for (const local of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) for (let i = 0; i < 5; i++) expect((await limited.inject(from(local))).statusCode).toBe(200);
      await new Promise((r) => setTimeout(r, 1600));
      expect((await limited.inject(from(a))).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('loopback clients count when asked; rateLimit 0 turns it off', async () => {
    const local = await createApp(searcher, { rateLimit: 2, rateLimitLoopback: true });
    const off = await createApp(searcher, { rateLimit: 0 });
    try {
      const codes = [];
      for (let i = 0; i < 3; i++) codes.push((await local.inject(from('127.0.0.1'))).statusCode);
      expect(codes).toEqual([200, 200, 429]);
      for (let i = 0; i < 5; i++) expect((await off.inject(from('203.0.113.7'))).statusCode).toBe(200);
    } finally {
      await local.close();
      await off.close();
    }
  });
});

/** The compact codes file with the first chunk's block scales set to NaN (chunk: u32 objects c, u32 blocks, f32 dropped[c], f32 scales[…]). */
function nanScales(bytes: Buffer): Buffer {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [c, nb] = [dv.getUint32(0, true), dv.getUint32(4, true)];
  for (let b = 0; b < nb; b++) dv.setFloat32(8 + 4 * c + 4 * b, NaN, true);
  return bytes;
}

describe('index integrity and readiness', () => {
  /**
   * A copy of the tiny index whose codes file `spoil` changes; with `resum` the manifest records the spoiled
   * file's checksum, as if the build itself had written bad codes, so the checks behind the checksum are reached.
   */
  const spoiled = (name: string, spoil: (file: string) => void, resum: boolean) => {
    const copy = path.join(tmp, name);
    cpSync(indexDir, copy, { recursive: true });
    const codes = path.join(copy, INDEX_FILES.codes);
    spoil(codes);
    if (resum) {
      const manifest = path.join(copy, INDEX_FILES.manifest);
      const m = JSON.parse(readFileSync(manifest, 'utf8'));
      m.files[INDEX_FILES.codes] = FileSummer.of(readFileSync(codes));
      writeFileSync(manifest, JSON.stringify(m));
    }
    return copy;
  };

  const randomCodes = (f: string) => writeFileSync(f, randomBytes(statSync(f).size));
  it.each([
    ['random codes of the right size', randomCodes, false, /codes\.bin: SHA-256 [0-9a-f]{16}… differs from the manifest's [0-9a-f]{16}… \(the file changed after the index was built: corrupt index\? rebuild it with `sadsl index`\)$/],
    ['truncated codes', (f: string) => truncateSync(f, statSync(f).size - 64), false, /codes\.bin: \d+ bytes, the manifest says \d+ \(truncated or corrupt index\?\)$/],
    // Behind the checksum: random bytes fail the parser; well-formed chunks with NaN block scales fail the probe search.
    ['random codes built into the index', randomCodes, true, /codes\.bin: .+ \(truncated or corrupt index\?\)$/],
    ['NaN block scales', (f: string) => writeFileSync(f, nanScales(readFileSync(f))), true, /: the stored code of train:0 is not finite or longer than 1: the index's codes are corrupt; rebuild it with sadsl index$/],
  ])('a corrupt index is one clear error at start, before listening: %s', async (name, spoil, resum, pattern) => {
    const copy = spoiled(name.replace(/\W+/g, '-'), spoil, resum);
    const start = startServer({ index: copy, port: 0 });
    await expect(start).rejects.toThrow(ModelError);
    await expect(start).rejects.toThrow(pattern);
    await expect(start).rejects.toThrow(new RegExp(`^${copy.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('an index with the default int4 codes passes the probe: their rounding is not corruption', async () => {
    const int4 = path.join(tmp, 'int4');
    const m = await buildIndex({ model: path.join(tmp, 'run', 'model'), out: int4, ann: 'none' });
    expect(m.codes.params.dtype).toBe('int4');
    const s = await startServer({ index: int4, port: 0 });
    try {
      const r = await fetch(`${s.url}/readyz`);
      expect(r.status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('/readyz is 503 while the model loads, /healthz answers meanwhile; both 200 once loaded', async () => {
    const s = await Searcher.open(indexDir);
    let release = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const model = s.model.bind(s);
    s.model = () => gate.then(model);
    const loading = await createApp(s);
    try {
      expect((await loading.inject('/readyz')).json()).toEqual({ error: 'not ready: loading the model and dataset' });
      expect((await loading.inject('/readyz')).statusCode).toBe(503);
      expect((await loading.inject('/healthz')).statusCode).toBe(200);
      release();
      await s.model();
      await s.dataset();
      await new Promise((r) => setImmediate(r)); // the service's own wait on them settles
      const ready = await loading.inject('/readyz');
      expect([ready.statusCode, ready.json()]).toEqual([200, { status: 'ready' }]);
    } finally {
      await loading.close();
      await s.close();
    }
  });

  it('a backend that fails while running makes /healthz and /readyz 503 without internals, and recovers', async () => {
    const s = await Searcher.open(indexDir);
    const probed = await createApp(s, { probeInterval: 50 });
    const search = s.search.bind(s);
    const wait = () => new Promise((r) => setTimeout(r, 60));
    try {
      await s.model();
      await s.dataset();
      expect((await probed.inject('/readyz')).statusCode).toBe(200);
      s.search = async () => {
        throw new Error('lance error: Io error: unexpected end of file, /root/.cargo/registry/src/lance-io-0.1/src/local.rs:114:22');
      };
      // Within probeInterval the last verdict stands; after it the probe runs again and fails.
      expect((await probed.inject('/healthz')).statusCode).toBe(200);
      await wait();
      const health = await probed.inject('/healthz');
      expect([health.statusCode, health.json()]).toEqual([503, { error: 'unhealthy: the exact search backend fails its probe search' }]);
      expect((await probed.inject('/readyz')).json()).toEqual({ error: 'not ready: the exact search backend fails its probe search' });
      s.search = search;
      await wait();
      expect((await probed.inject('/healthz')).statusCode).toBe(200);
      expect((await probed.inject('/readyz')).statusCode).toBe(200);
    } finally {
      await probed.close();
      await s.close();
    }
  });
});

describe('exposure', () => {
  it.each([
    ['localhost:8080', 200],
    ['127.0.0.1', 200],
    ['[::1]:9', 200],
    ['evil.example', 403],
    ['localhost.evil.example:80', 403],
  ])('Host %s → %i (a rebound DNS name is refused on loopback)', async (host, status) => {
    const r = await app.inject({ method: 'GET', url: '/topics', headers: { host } });
    expect(r.statusCode).toBe(status);
    if (status === 403) expect(r.json().error).toMatch(/^host: /);
  });

  it('a page of another origin cannot use the service; the service sends no CORS headers', async () => {
    const other = await app.inject({ method: 'POST', url: '/search', headers: { host: 'localhost:80', origin: 'http://evil.example', 'content-type': 'application/json' }, payload: '{"id": "train:0"}' });
    expect(other.statusCode).toBe(403);
    expect(other.json().error).toMatch(/^origin: /);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const same = await app.inject({ method: 'POST', url: '/search', headers: { host: 'localhost:80', origin: 'http://localhost:80', 'content-type': 'application/json' }, payload: '{"id": "train:0"}' });
    expect(same.statusCode).toBe(200);
  });

  it('with a token, every route but /healthz and the page needs it (header or the page cookie)', async () => {
    const guarded = await createApp(searcher, { token: 's3cret' });
    try {
      const get = (url: string, headers: Record<string, string> = {}) => guarded.inject({ method: 'GET', url, headers });
      expect((await get('/topics')).statusCode).toBe(401);
      expect((await get('/topics')).json().error).toMatch(/^authorization: /);
      expect((await get('/topics', { authorization: 'Bearer wrong!' })).statusCode).toBe(401);
      expect((await get('/object/train:1', { authorization: 'Bearer s3cre' })).statusCode).toBe(401);
      expect((await get('/topics', { authorization: 'Bearer s3cret' })).statusCode).toBe(200);
      expect((await get('/object/train:1', { cookie: 'a=b; sadsl_token=s3cret' })).statusCode).toBe(200);
      expect((await get('/healthz')).statusCode).toBe(200);
      expect((await get('/')).statusCode).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it('binding beyond loopback needs public, and reports the real address', async () => {
    await expect(startServer({ index: indexDir, host: '0.0.0.0', port: 0 })).rejects.toThrow(/--host: 0\.0\.0\.0 is reachable from other machines; add --public/);
    const s = await startServer({ index: indexDir, host: '0.0.0.0', port: 0, public: true });
    try {
      expect(s.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
    } finally {
      await s.close();
    }
  });
});
