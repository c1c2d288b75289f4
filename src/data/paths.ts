/**
 * Where data lives on disk: the package root (for the embedded samples and the default 20 News path, which
 * is given relative to it) and the dataset cache directory (`$SADSL_CACHE`, else `~/.cache/sadsl`).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This file is `src/data/paths.ts` or `dist/data/paths.js`: two levels below the package root either way. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function samplePath(...parts: string[]): string {
  return join(PACKAGE_ROOT, 'samples', ...parts);
}

export function cacheDir(): string {
  return process.env.SADSL_CACHE || join(homedir(), '.cache', 'sadsl');
}
