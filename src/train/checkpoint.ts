/**
 * Training checkpoints: the model (a complete saved model), the optimiser state, and the sampler/RNG state
 * with the step reached. Each checkpoint is written into a fresh folder that is renamed into place, then
 * `latest.json` is replaced atomically, so a kill at any moment leaves the last good checkpoint loadable.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ModelError } from '../errors.js';
import * as tf from '../engine/tf.js';
import { TrainedModel } from './trained-model.js';
import { readJson, readWeights, writeFileAtomic, writeWeights, type WeightsGroup } from './weights-file.js';

/** Everything besides tensors that a resumed run needs to continue identically. */
export interface LoopState {
  step: number;
  /** Wall-clock seconds of training so far, over every resumed part of the run. */
  seconds: number;
  sampler: unknown;
  rng: { state: number; spare: number | null };
}

interface CheckpointJson {
  format: 'sadsl-checkpoint';
  optimizer: WeightsGroup;
  loop: LoopState;
}

const KEEP = 2;

function stepDir(root: string, step: number): string {
  return path.join(root, `step-${String(step).padStart(7, '0')}`);
}

export async function saveCheckpoint(
  root: string,
  model: TrainedModel,
  optimizer: Record<string, tf.Tensor>,
  loop: LoopState,
): Promise<string> {
  await fs.mkdir(root, { recursive: true });
  const final = stepDir(root, loop.step);
  const tmp = `${final}.tmp-${process.pid}`;
  await fs.rm(tmp, { recursive: true, force: true });
  await fs.mkdir(tmp);
  await model.save(tmp);
  const group = await writeWeights(tmp, 'optimizer.bin', optimizer);
  const json: CheckpointJson = { format: 'sadsl-checkpoint', optimizer: group, loop };
  await fs.writeFile(path.join(tmp, 'checkpoint.json'), JSON.stringify(json));
  await fs.rm(final, { recursive: true, force: true });
  await fs.rename(tmp, final);
  await writeFileAtomic(path.join(root, 'latest.json'), JSON.stringify({ dir: path.basename(final) }));
  // Keep the newest few; older ones and leftovers of killed writes go.
  const entries = (await fs.readdir(root)).filter((e) => e.startsWith('step-')).sort();
  const complete = entries.filter((e) => !e.includes('.tmp-'));
  const stale = [...entries.filter((e) => e.includes('.tmp-') && e !== path.basename(tmp)), ...complete.slice(0, -KEEP)];
  await Promise.all(stale.map((e) => fs.rm(path.join(root, e), { recursive: true, force: true })));
  return final;
}

export interface LoadedCheckpoint {
  model: TrainedModel;
  optimizer: Record<string, tf.Tensor>;
  loop: LoopState;
}

/** Loads the checkpoint `latest.json` points to; the caller disposes `optimizer`. */
export async function loadCheckpoint(root: string): Promise<LoadedCheckpoint> {
  const latest = await readJson<{ dir?: string }>(path.join(root, 'latest.json'), 'checkpoint pointer');
  if (typeof latest.dir !== 'string') throw new ModelError(`${root}/latest.json: no checkpoint named`);
  const dir = path.join(root, latest.dir);
  const json = await readJson<CheckpointJson>(path.join(dir, 'checkpoint.json'), 'checkpoint');
  if (json.format !== 'sadsl-checkpoint') throw new ModelError(`${dir}: not a sadsl checkpoint`);
  const model = await TrainedModel.load(dir);
  const optimizer = await readWeights(dir, json.optimizer);
  return { model, optimizer, loop: json.loop };
}
