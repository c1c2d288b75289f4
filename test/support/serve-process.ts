/** Service processes for the scale-out tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { expect } from 'vitest';

/** Starts `sadsl serve` in a child process on a free port; resolves with its URL once it prints it. */
export function serveProcess(index: string, children: ChildProcess[], opts: { args?: string[]; env?: Record<string, string> } = {}): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--index', index, '--port', '0', ...(opts.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
}

/** Asks two services the same searches at once and checks both answer them, with identical hits. */
export async function expectIdenticalHits(a: string, b: string, ids: string[], extra: Record<string, unknown> = {}): Promise<void> {
  const ask = (url: string, id: string) =>
    fetch(`${url}/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, k: 5, ...extra }) }).then((r) => r.json());
  const results = await Promise.all(ids.flatMap((id) => [ask(a, id), ask(b, id)]));
  for (let i = 0; i < ids.length; i++) {
    const [ra, rb] = [results[2 * i], results[2 * i + 1]];
    expect(ra.backend).toBe('lance');
    expect(ra.hits).toHaveLength(5);
    expect(rb.hits).toEqual(ra.hits);
  }
}
