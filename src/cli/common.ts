/** Helpers shared by the sub-commands: number options, progress bars, the engine banner. */
import { promises as fs } from 'node:fs';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { initEngine, type EngineInfo } from '../engine/backend.js';
import { ArgumentError } from '../errors.js';

/** A commander option parser for numbers that names the option in its error. */
export function parseNumber(name: string, integer: boolean) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
      throw new ArgumentError(`--${name}: expected ${integer ? 'an integer' : 'a number'}, got "${v}"`);
    }
    return n;
  };
}

/** Initialises the engine from `--backend` / SADSL_BACKEND and prints the backend and why, once, on stderr. */
export async function startEngine(cmd: Command): Promise<EngineInfo> {
  const engine = await initEngine({ backend: cmd.optsWithGlobals().backend as string | undefined });
  const kernels = engine.customKernels.length ? `; +${engine.customKernels.length} kernels` : '';
  process.stderr.write(`sadsl: engine ${engine.backend} (${engine.reason}${kernels})\n`);
  return engine;
}

export interface Progress {
  update(done: number, total: number, payload?: Record<string, string | number>): void;
  stop(): void;
}

/** Resident memory of this process in MiB, shown by every progress bar (memory stays bounded while streaming). */
function rssMiB(): number {
  return Math.round(process.memoryUsage.rss() / 2 ** 20);
}

/** The most memory this process has held so far (peak RSS) in MiB, for a command's closing line. */
export function peakRssMiB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/**
 * A progress bar on stderr, started on the first report so fast work never shows one. `format` may use
 * cli-progress tokens ({bar}, {value}, {total}, {eta}) and payload keys; the process's RSS is appended.
 */
export function progressBar(label: string, format = '{bar} {value}/{total} eta {eta}s'): Progress {
  format += ' | RSS {rss} MiB';
  let bar: cliProgress.SingleBar | null = null;
  const quiet = !process.stderr.isTTY && process.env.SADSL_PROGRESS !== '1';
  let lastLine = 0;
  return {
    update(done, total, given = {}) {
      const payload = { ...given, rss: rssMiB() };
      if (quiet) {
        // Not a terminal (CI, logs): one line every 10 s instead of a redrawn bar.
        const now = Date.now();
        if (now - lastLine > 10_000 || done === total) {
          lastLine = now;
          const extra = Object.entries(payload).map(([k, v]) => `${k}=${v}`).join(' ');
          process.stderr.write(`${label} ${done}/${total} ${extra}\n`);
        }
        return;
      }
      if (!bar) {
        bar = new cliProgress.SingleBar({ stream: process.stderr, format: `${label} ${format}`, hideCursor: true }, cliProgress.Presets.shades_classic);
        bar.start(total, 0, payload);
      }
      bar.setTotal(total);
      bar.update(done, payload);
    },
    stop() {
      bar?.stop();
    },
  };
}

/** `--config`: a JSON file, or the JSON itself when it starts with '{' — an object {"model": {...}, "train": {...}} of config fields. */
export async function readConfigFile(file: string): Promise<{ model?: object; train?: object }> {
  const inline = file.trimStart().startsWith('{');
  let text = file;
  if (!inline) {
    try {
      text = await fs.readFile(file, 'utf8');
    } catch {
      throw new ArgumentError(`--config: cannot read ${file}`);
    }
  }
  try {
    const json = JSON.parse(text) as { model?: object; train?: object };
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error();
    return json;
  } catch {
    throw new ArgumentError(`--config: ${inline ? 'the value' : file} is not a JSON object like {"model": {...}, "train": {...}}`);
  }
}
