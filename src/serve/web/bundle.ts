/**
 * The page's script: `client.ts` (or, in the built package, its compiled `client.js` beside this file)
 * bundled with its imports into one browser script by esbuild, once per process. Bundling the file that
 * ships beside this module means the served script always matches the code, with no build step of its own.
 */
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let script: Promise<string> | null = null;

export function clientScript(): Promise<string> {
  script ??= (async () => {
    const here = fileURLToPath(import.meta.url);
    const entry = path.join(path.dirname(here), `client${path.extname(here)}`);
    const out = await build({ entryPoints: [entry], bundle: true, write: false, format: 'iife', platform: 'browser', target: 'es2020', logLevel: 'silent' });
    return out.outputFiles[0].text;
  })();
  return script;
}
