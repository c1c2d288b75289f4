/**
 * The one place the browser tests get a headless Chromium, so `npm test` runs them on a fresh machine:
 * `$SADSL_CHROMIUM` when set, else the Chromium that the devDependency `@sparticuz/chromium` carries inside its
 * package (no download at test time), unpacked once into `<tmpdir>/sadsl-chromium-<version>/`. No system path is
 * assumed: every machine runs the same browser unless told otherwise. A browser test never skips: without a browser it fails and says why.
 */
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Sparticuz from '@sparticuz/chromium';
import { chromium, type Browser } from 'playwright-core';

export type BrowserSource = 'SADSL_CHROMIUM' | '@sparticuz/chromium';

export interface FoundBrowser {
  executablePath: string;
  source: BrowserSource;
}

// The same flags for every source, so a test sees the same browser behaviour on every machine.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Unpacks the packaged Chromium once per version; concurrent test processes race safely (the first rename wins). */
export async function packagedChromium(): Promise<FoundBrowser> {
  const main = createRequire(import.meta.url).resolve('@sparticuz/chromium'); // <pkg>/build/cjs/index.cjs
  const version = (JSON.parse(readFileSync(path.resolve(main, '../../../package.json'), 'utf8')) as { version: string }).version;
  const dir = path.join(tmpdir(), `sadsl-chromium-${version}`);
  const executablePath = path.join(dir, 'chromium');
  if (!existsSync(executablePath)) {
    const part = mkdtempSync(`${dir}.part-`);
    // The package unpacks into os.tmpdir(), which reads TMPDIR on every call: point it at a private folder.
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = part;
    try {
      await Sparticuz.executablePath();
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    try {
      renameSync(part, dir);
    } catch (e) {
      rmSync(part, { recursive: true, force: true });
      if (!existsSync(executablePath)) throw e;
    }
  }
  return { executablePath, source: '@sparticuz/chromium' };
}

/** The browser the tests use (see the file header for the order). */
export async function findBrowser(): Promise<FoundBrowser> {
  const fromEnv = process.env.SADSL_CHROMIUM;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`SADSL_CHROMIUM=${fromEnv}: no such file`);
    return { executablePath: fromEnv, source: 'SADSL_CHROMIUM' };
  }
  try {
    return await packagedChromium();
  } catch (e) {
    throw new Error(
      `no Chromium for the browser tests: the packaged one (@sparticuz/chromium, Linux x64) did not ` +
        `unpack (${(e as Error).message}); run npm ci, or set SADSL_CHROMIUM to a Chromium binary`,
      { cause: e },
    );
  }
}

/** A headless Chromium driven by playwright-core (`found` defaults to findBrowser()); the caller closes it. */
export async function launchBrowser(found?: FoundBrowser): Promise<Browser> {
  const b = found ?? (await findBrowser());
  // Playwright's 30 s default is short on a loaded machine; an idle one launches in about a second.
  return chromium.launch({ executablePath: b.executablePath, args: CHROMIUM_ARGS, headless: true, timeout: 180_000 });
}
