/**
 * A trained SADSL model with its preprocessing: what `train()` returns and `loadModel(dir)` restores.
 * Saved in TensorFlow.js's standard format (`model.json` with a `weightsManifest`, `weights.bin`) plus the
 * sadsl manifest inside `model.json` (spec version, config, input, dataset) and `vocabulary.json` for
 * documents.
 *
 * The score is an inner product of unit-norm codes, s(x, y) = ⟨z(x), z(y)⟩ (docs/model.md eq. (12)), so `encode` is all a
 * search index needs; `explain` gives its exact per-topic and per-region decomposition.
 */
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { modelConfigSchema, parseConfig, SPECS, type ModelConfig } from '../config.js';
import { range } from '../data/reader.js';
import type { SplitObjects } from '../data/types.js';
import { Vocabulary } from '../data/text/vocabulary.js';
import { Rng } from '../engine/random.js';
import * as tf from '../engine/tf.js';
import { ArgumentError, ModelError } from '../errors.js';
import type { DenseCodes } from './codes.js';
import { batchSize, disposeInputs, unitToPixel } from '../model/inputs.js';
import { SadslModel } from '../model/sadsl.js';
import type { Explanation, InputSpec, ModelInputs } from '../model/types.js';
import { Preprocessor } from './preprocess.js';
import { readJson, readWeights, writeFileAtomic, writeWeights, type WeightsGroup } from './weights-file.js';
import { yieldToEventLoop } from '../engine/event-loop.js';

const FORMAT = 'sadsl-model';

/** What a saved model says about itself. */
export interface ModelManifest {
  format: typeof FORMAT;
  specVersion: string;
  config: ModelConfig;
  input: InputSpec;
  /** The dataset it was trained on; refs like `test:3` resolve against it. */
  dataset: { spec: string; name: string; domain: 'image' | 'text'; classes: string[] };
  /** Documents: the vocabulary file next to model.json. */
  vocabulary?: string;
  /** sha256 of the weights; an index refuses a model with another. */
  fingerprint: string;
  createdAt: string;
}

interface ModelJson {
  format: string;
  generatedBy: string;
  weightsManifest: WeightsGroup[];
  sadsl: ModelManifest;
}

/** Objects of a split: all of them, or the ones at `indices`. */
export type Objects = SplitObjects;

export interface EncodeOptions {
  /** Objects per forward pass (default 256). */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

/** A run directory stands for its final model (`run/model`). */
function resolveModelDir(dir: string): string {
  return !existsSync(path.join(dir, 'model.json')) && existsSync(path.join(dir, 'model', 'model.json')) ? path.join(dir, 'model') : dir;
}

function allIndices(o: Objects): ArrayLike<number> {
  return o.indices ?? range(0, o.split.n);
}

export class TrainedModel {
  constructor(
    readonly net: SadslModel,
    readonly preprocessor: Preprocessor,
    readonly dataset: ModelManifest['dataset'],
  ) {}

  get config(): ModelConfig {
    return this.net.config;
  }

  /** Model inputs of objects; the caller disposes them. */
  inputs(o: Objects): ModelInputs {
    return this.preprocessor.inputs(o.split, allIndices(o));
  }

  /** Codes z [n, dim] and topic strengths θ [n, K] of objects, encoded in batches. */
  async encode(o: Objects, opts: EncodeOptions = {}): Promise<DenseCodes> {
    const idx = allIndices(o);
    const n = idx.length;
    const bs = opts.batchSize ?? 256;
    const topics = this.net.config.variant !== 'no-topics';
    const K = this.net.config.K;
    let codes: Float32Array | null = null;
    let dim = 0;
    const theta = topics ? new Float32Array(n * K) : null;
    for (let start = 0; start < n; start += bs) {
      await yieldToEventLoop();
      const end = Math.min(n, start + bs);
      const x = this.preprocessor.inputs(o.split, Array.prototype.slice.call(idx, start, end) as number[]);
      const [z, th] = tf.tidy(() => {
        const f = this.net.forward(x, false);
        return [f.codes, f.theta];
      });
      disposeInputs(x);
      const zData = (await z.data()) as Float32Array;
      if (!codes) {
        dim = z.shape[1];
        codes = new Float32Array(n * dim);
      }
      codes.set(zData, start * dim);
      if (theta) theta.set((await th.data()) as Float32Array, start * K);
      tf.dispose([z, th]);
      opts.onProgress?.(end, n);
    }
    return { kind: 'dense', codes: codes ?? new Float32Array(0), dim, ...(theta ? { theta: { values: theta, K } } : {}) };
  }

  /** s(a, b) for single objects. */
  similarity(a: Objects, b: Objects): number {
    return this.explain(a, b).score;
  }

  /** The exact decomposition of s(a, b) into topic and region contributions (docs/model.md eqs. (13)–(14″)). */
  explain(a: Objects, b: Objects): Explanation {
    const xa = this.single(a, 'a');
    const xb = this.single(b, 'b');
    try {
      return this.net.explain(xa, xb);
    } finally {
      disposeInputs(xa);
      disposeInputs(xb);
    }
  }

  private single(o: Objects, what: string): ModelInputs {
    const x = this.inputs(o);
    if (batchSize(x) !== 1) {
      disposeInputs(x);
      throw new ArgumentError(`${what}: expected exactly one object`);
    }
    return x;
  }

  /**
   * Renders objects from topic vectors (docs/model.md eq. (15)): `topic` is a topic index (h = t_k) or topic strengths θ
   * over the K topics (h = Σ_k θ_k t_k). Returns `samples` renders with noise from `seed` (sample 0 uses
   * z = 0): images as [samples, H, W, C] bytes, documents as [samples, V] word distributions.
   */
  async generate(topic: number | ArrayLike<number>, opts: { samples?: number; seed?: number } = {}): Promise<
    { kind: 'image'; height: number; width: number; channels: number; pixels: Uint8Array } | { kind: 'text'; vocabSize: number; probabilities: Float32Array }
  > {
    const { K, noiseDim } = this.net.config;
    if (!this.net.hasAdversarial) throw new ArgumentError('this model was trained without a generator (variant no-adversarial)');
    const weights = new Float32Array(K);
    if (typeof topic === 'number') {
      if (!Number.isInteger(topic) || topic < 0 || topic >= K) throw new ArgumentError(`topic: must be an integer in [0, ${K}), got ${topic}`);
      weights[topic] = 1;
    } else {
      if (topic.length !== K) throw new ArgumentError(`topic: expected ${K} topic weights, got ${topic.length}`);
      weights.set(Array.from(topic));
    }
    const samples = opts.samples ?? 1;
    const rng = new Rng(opts.seed ?? 0);
    const noise = rng.normalArray(samples * noiseDim);
    noise.fill(0, 0, noiseDim);
    const out = tf.tidy(() => {
      const h = tf.matMul(tf.tensor2d(weights, [1, K]), this.net.topics); // [1, d]
      const hs = tf.tile(h, [samples, 1]); // [S, d]
      return this.net.generate(hs as tf.Tensor2D, tf.tensor2d(noise, [samples, noiseDim]), false);
    });
    const data = (await out.data()) as Float32Array;
    out.dispose();
    const input = this.preprocessor.input;
    if (input.domain === 'image') {
      const pixels = new Uint8Array(data.length);
      for (let i = 0; i < data.length; i++) pixels[i] = unitToPixel(data[i]);
      return { kind: 'image', height: input.height, width: input.width, channels: input.channels, pixels };
    }
    return { kind: 'text', vocabSize: input.vocabSize, probabilities: data };
  }

  /** Saves the model to `dir` (created if needed); returns the manifest written. */
  async save(dir: string): Promise<ModelManifest> {
    await fs.mkdir(dir, { recursive: true });
    const group = await writeWeights(dir, 'weights.bin', this.net.getWeights());
    const fingerprint = createHash('sha256').update(await fs.readFile(path.join(dir, 'weights.bin'))).digest('hex');
    const vocab = this.preprocessor.vocabulary;
    if (vocab) await writeFileAtomic(path.join(dir, 'vocabulary.json'), JSON.stringify(vocab.toJSON()));
    const manifest: ModelManifest = {
      format: FORMAT,
      specVersion: this.net.config.spec,
      config: this.net.config,
      input: this.preprocessor.input,
      dataset: this.dataset,
      ...(vocab ? { vocabulary: 'vocabulary.json' } : {}),
      fingerprint,
      createdAt: new Date().toISOString(),
    };
    const json: ModelJson = { format: FORMAT, generatedBy: 'sadsl', weightsManifest: [group], sadsl: manifest };
    await writeFileAtomic(path.join(dir, 'model.json'), JSON.stringify(json, null, 1));
    return manifest;
  }

  /** The manifest of a saved model without loading its weights. */
  static async readManifest(dir: string): Promise<ModelManifest> {
    dir = resolveModelDir(dir);
    const json = await readJson<ModelJson>(path.join(dir, 'model.json'), 'model manifest');
    if (json?.format !== FORMAT || !json.sadsl || !Array.isArray(json.weightsManifest)) {
      throw new ModelError(`${path.join(dir, 'model.json')}: not a sadsl model`);
    }
    if (!(SPECS as readonly string[]).includes(json.sadsl.specVersion)) {
      throw new ModelError(`${dir}: model spec ${json.sadsl.specVersion}, this build implements ${SPECS.join(' and ')}`);
    }
    return json.sadsl;
  }

  /** Restores a model saved by `save`; it gives identical scores. */
  static async load(dir: string): Promise<TrainedModel> {
    dir = resolveModelDir(dir);
    const manifest = await TrainedModel.readManifest(dir);
    const json = await readJson<ModelJson>(path.join(dir, 'model.json'), 'model manifest');
    // A config saved before v3 has no spec field: its manifest's specVersion says which it is.
    const config = parseConfig(modelConfigSchema, { ...manifest.config, spec: manifest.config.spec ?? manifest.specVersion }, `model config in ${dir}`);
    const vocab = manifest.vocabulary
      ? Vocabulary.fromJSON(await readJson(path.join(dir, manifest.vocabulary), 'vocabulary'), path.join(dir, manifest.vocabulary))
      : null;
    const net = SadslModel.create(config, manifest.input, 0, manifest.dataset.classes.length);
    const weights = await readWeights(dir, json.weightsManifest[0]);
    try {
      net.setWeights(weights);
    } catch (e) {
      net.dispose();
      throw new ModelError(`${dir}: weights do not match the model config (${(e as Error).message})`);
    } finally {
      tf.dispose(Object.values(weights));
    }
    return new TrainedModel(net, new Preprocessor(manifest.input, vocab), manifest.dataset);
  }

  dispose(): void {
    this.net.dispose();
  }
}

/** Loads a saved model (`sadsl train --out dir`). */
export function loadModel(dir: string): Promise<TrainedModel> {
  return TrainedModel.load(dir);
}
