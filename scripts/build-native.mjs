#!/usr/bin/env node
/**
 * Builds the torch backend's addon (native/, node-gyp) when libtorch is installed. Run by `npm ci` /
 * `npm install` (the package's install script): it never fails the install, it prints one line saying
 * what happened (node-gyp's own output goes to native/build.log). `npm run build:native` runs it with
 * `--strict`, which exits non-zero when the build fails.
 *
 * libtorch: $LIBTORCH (a tree with include/ and lib/), else Debian's libtorch-dev paths. SADSL_NO_TORCH=1 skips.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const native = path.join(root, 'native');
const strict = process.argv.includes('--strict');
const say = (msg) => console.log(`sadsl: ${msg}`);
const hint = 'apt-get install libtorch-dev, then npm run build:native';

function done(ok, msg) {
  say(msg);
  process.exit(ok || !strict ? 0 : 1);
}

if (process.env.SADSL_NO_TORCH === '1') done(true, 'torch backend skipped (SADSL_NO_TORCH=1)');
const lib = process.env.LIBTORCH ? path.join(process.env.LIBTORCH, 'lib') : '/usr/lib/x86_64-linux-gnu';
const include = process.env.LIBTORCH ? path.join(process.env.LIBTORCH, 'include') : '/usr/include';
if (!existsSync(path.join(lib, 'libtorch_cpu.so')) || !existsSync(path.join(include, 'ATen', 'ATen.h'))) {
  // a stale addon from an earlier build would be loaded against a libtorch that is gone
  rmSync(path.join(native, 'build'), { recursive: true, force: true });
  done(false, `torch backend skipped: libtorch not found (${process.env.LIBTORCH ? `LIBTORCH=${process.env.LIBTORCH}` : 'Debian libtorch-dev'}); the wasm backend will be used. To add it: ${hint}`);
}

// npm puts its bundled node-gyp on PATH for lifecycle scripts; npm_execpath finds it otherwise.
const npmGyp = process.env.npm_execpath ? path.join(path.dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js') : '';
const [cmd, pre] = existsSync(npmGyp) ? [process.execPath, [npmGyp]] : ['node-gyp', []];
// Node's headers from the system (Debian nodejs, nodesource) rather than a download.
const nodedir = ['/usr', '/usr/local'].find((d) => existsSync(path.join(d, 'include', 'node', 'node_api.h')));
const args = [...pre, 'rebuild', '-j', '2', ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
mkdirSync(native, { recursive: true });
const logFile = path.join(native, 'build.log');
const log = openSync(logFile, 'w');
const t0 = Date.now();
const r = spawnSync(cmd, args, { cwd: native, stdio: ['ignore', log, log] });
closeSync(log);
const secs = ((Date.now() - t0) / 1000).toFixed(0);
if (r.status === 0) done(true, `torch backend built against libtorch in ${lib} (${secs} s)`);
done(false, `torch backend build failed (${r.error ? r.error.message : `node-gyp exit ${r.status}`}; see ${path.relative(process.cwd(), logFile)}); the wasm backend will be used`);
