/**
 * The SADSL network (docs/model.md §1–§4): encoder E → self-attention → topic similarity layer, plus the
 * generator G and discriminator D that render objects from topic codes. Weights come from one seeded Rng in
 * a fixed order (encoder, attention, topics, G, D). Variants switch parts off without forking code:
 * `no-attention` (uniform α), `no-adversarial` (no G, no D), `no-topics` (pooled embedding g).
 */
import * as tf from '../engine/tf.js';
import { Rng } from '../engine/random.js';
import type { ModelConfig } from '../config.js';
import { ArgumentError, ModelError } from '../errors.js';
import { SelfAttention } from './attention.js';
import { ImageDiscriminator } from './discriminator-image.js';
import { TextDiscriminator } from './discriminator-text.js';
import type { ImageEncoder } from './encoder-image.js';
import type { TextEncoder } from './encoder-text.js';
import { createEncoder } from './encoder.js';
import { explainPair } from './explain.js';
import { ImageGenerator } from './generator-image.js';
import { TextGenerator } from './generator-text.js';
import { batchSize, disposeInputs, sliceInputs } from './inputs.js';
import { kmeans } from './kmeans.js';
import type { BatchNorm } from './layers.js';
import { ParamStore } from './params.js';
import { pooledLayer, topicLayer } from './topic-layer.js';
import type { Explanation, Forward, InputSpec, ModelInputs } from './types.js';

/** Objects per forward pass while collecting k-means features (bounds memory; as the reference). */
const KMEANS_CHUNK = 256;

export interface ParamCounts {
  main: number;
  generator: number;
  discriminator: number;
}

export class SadslModel {
  readonly topics: tf.Variable;
  /** Class prototypes [C, K·d] (config `proxies`), else null. */
  readonly prototypes: tf.Variable | null = null;
  readonly hasAdversarial: boolean;
  /** Regions R per object. */
  readonly regions: number;
  private readonly store: ParamStore;
  private readonly imageEncoder: ImageEncoder | null;
  private readonly textEncoder: TextEncoder | null;
  private readonly attention: SelfAttention;
  private readonly imageG: ImageGenerator | null = null;
  private readonly imageD: ImageDiscriminator | null = null;
  private readonly textG: TextGenerator | null = null;
  private readonly textD: TextDiscriminator | null = null;

  private constructor(
    readonly config: ModelConfig,
    readonly input: InputSpec,
    rng: Rng,
    classes: number,
  ) {
    const { d, K } = config;
    this.store = new ParamStore(rng);
    ({ imageEncoder: this.imageEncoder, textEncoder: this.textEncoder, regions: this.regions } = createEncoder(this.store, config, input));
    this.attention = new SelfAttention(this.store, 'attn', { dim: d, uniformAlpha: config.variant === 'no-attention' });
    this.topics = this.store.add('topics', rng.normalTensor([K, d], 0.02));
    this.hasAdversarial = config.variant !== 'no-adversarial';
    if (this.hasAdversarial) {
      const inDim = d + config.noiseDim;
      if (input.domain === 'image') {
        this.imageG = new ImageGenerator(this.store, 'G', { inDim, ...input });
        this.imageD = new ImageDiscriminator(this.store, 'D', input);
      } else {
        this.textG = new TextGenerator(this.store, 'G', { inDim, hidden: config.docHidden, vocabSize: input.vocabSize });
        this.textD = new TextDiscriminator(this.store, 'D', { vocabSize: input.vocabSize, hidden: config.docHidden, input: config.docDInput });
      }
    }
    if (config.proxies) {
      if (!(classes > 1)) throw new ArgumentError(`class prototypes need at least 2 classes, got ${classes}`);
      const D = this.usesTopics ? K * d : d;
      this.prototypes = this.store.add('prototypes', rng.normalTensor([classes, D], 1 / Math.sqrt(D)));
    }
  }

  /** A fresh model; every weight drawn from `Rng(seed)`. Topics start random (normal, 0.02). `classes`:
   *  the number of training classes (needed by the class prototypes). */
  static create(config: ModelConfig, input: InputSpec, seed: number, classes = 0): SadslModel {
    return new SadslModel(config, input, new Rng(seed), classes);
  }

  get usesTopics(): boolean {
    return this.config.variant !== 'no-topics';
  }

  private checkDomain(x: ModelInputs): void {
    if (x.domain !== this.input.domain) {
      throw new ArgumentError(`model expects ${this.input.domain} inputs, got ${x.domain}`);
    }
  }

  /** Encoder + self-attention: F [B, R, d], F' [B, R, d], region mask [B, R], α [B, R], attention A and values v. */
  private attend(x: ModelInputs, training: boolean): Pick<Forward, 'regionInputs' | 'features' | 'regionMask' | 'alpha' | 'attention' | 'values'> {
    this.checkDomain(x);
    if (x.domain === 'image') {
      const f = this.imageEncoder!.apply(x.images, training); // [B, R, d]
      return { regionInputs: f, ...this.attention.apply(f, null), regionMask: tf.ones([f.shape[0], f.shape[1]]) };
    }
    const enc = this.textEncoder!.apply(x.ids, x.mask);
    return { regionInputs: enc.features, ...this.attention.apply(enc.features, enc.regionMask), regionMask: enc.regionMask };
  }

  /**
   * Forward pass of encoder → self-attention → topic layer. Call inside tf.tidy. training = true uses batch
   * statistics in BatchNorm and updates its running averages.
   */
  forward(x: ModelInputs, training: boolean): Forward {
    const attended = this.attend(x, training);
    const { features, alpha } = attended;
    const c = this.config;
    const t = this.usesTopics
      ? topicLayer(features, alpha, this.topics as tf.Tensor2D, { tau: c.tau, eps: c.eps, sqrtEps: c.sqrtEps, thetaPower: c.thetaPower, thetaFloor: c.thetaFloor })
      : pooledLayer(features, alpha, c.eps);
    return { ...attended, ...t };
  }

  private requireAdversarial(): void {
    if (!this.hasAdversarial) throw new ModelError(`variant '${this.config.variant}' has no generator/discriminator`);
  }

  /** G: [h, noise] → image [B, H, W, C] in [-1, 1] or word distribution [B, V]. */
  generate(h: tf.Tensor2D, noise: tf.Tensor2D, training: boolean): tf.Tensor {
    this.requireAdversarial();
    return tf.tidy(() => {
      const input = tf.concat([h, noise], 1); // [B, d + noiseDim]
      return this.imageG ? this.imageG.apply(input, training) : this.textG!.apply(input);
    });
  }

  /** Documents only: G's pre-softmax logits [B, V], for a stable log-softmax in the reconstruction loss. */
  generateLogits(h: tf.Tensor2D, noise: tf.Tensor2D): tf.Tensor2D {
    this.requireAdversarial();
    if (!this.textG) throw new ModelError('generateLogits is for document models');
    return tf.tidy(() => this.textG!.logits(tf.concat([h, noise], 1)));
  }

  /** D: image [B, H, W, C] or word distribution [B, V] → logits [B]. */
  discriminate(x: tf.Tensor, training: boolean): tf.Tensor1D {
    this.requireAdversarial();
    return this.imageD ? this.imageD.apply(x as tf.Tensor4D, training) : this.textD!.apply(x as tf.Tensor2D);
  }

  /** Trainable variables by optimiser: main = encoder + attention (+ topics), generator = G, discriminator = D. */
  trainableGroups(): { main: tf.Variable[]; generator: tf.Variable[]; discriminator: tf.Variable[] } {
    return {
      main: this.store.trainable(this.usesTopics ? ['enc.', 'attn.', 'topics', 'prototypes'] : ['enc.', 'attn.', 'prototypes']),
      generator: this.store.trainable(['G.']),
      discriminator: this.store.trainable(['D.']),
    };
  }

  /** Trainable scalar weights per optimiser group. */
  paramCounts(): ParamCounts {
    const g = this.trainableGroups();
    const n = (vs: tf.Variable[]): number => vs.reduce((s, v) => s + v.size, 0);
    return { main: n(g.main), generator: n(g.generator), discriminator: n(g.discriminator) };
  }

  private encoderBatchNorms(): BatchNorm[] {
    return this.imageEncoder ? this.imageEncoder.batchNorms() : [];
  }

  /**
   * Data-dependent centring of the document features (config `docCentring`); a no-op for images or 'none'.
   * Call before `initTopics`, which clusters the centred features.
   */
  centreFeatures(x: ModelInputs): void {
    this.checkDomain(x);
    if (x.domain === 'text' && this.config.docCentring === 'data') this.textEncoder!.centre(x.ids, x.mask, KMEANS_CHUNK);
  }

  /**
   * Topic initialisation by k-means over the real-region features f'_r of `x` under the current encoder
   * (BatchNorm in batch-statistics mode as in training; its running averages are left untouched).
   * A no-op for the `no-topics` variant.
   */
  initTopics(x: ModelInputs, rng: Rng): void {
    this.checkDomain(x);
    if (!this.usesTopics) return;
    const bns = this.encoderBatchNorms();
    const saved = bns.map((bn) => [bn.runningMean.clone(), bn.runningVar.clone()]);
    const parts: tf.Tensor2D[] = [];
    const n = batchSize(x);
    for (let s = 0; s < n; s += KMEANS_CHUNK) {
      const chunk = sliceInputs(x, s, Math.min(n, s + KMEANS_CHUNK));
      const { features, regionMask } = tf.tidy(() => {
        const r = this.attend(chunk, true);
        return { features: r.features, regionMask: r.regionMask };
      });
      const [B, R, d] = features.shape;
      const flat = features.reshape([B * R, d]) as tf.Tensor2D; // [B·R, d]
      const keep: number[] = [];
      regionMask.dataSync().forEach((m, i) => m > 0 && keep.push(i));
      parts.push(keep.length === B * R ? flat.clone() : tf.tidy(() => tf.gather(flat, keep))); // [n_real, d]
      tf.dispose([features, regionMask, flat]);
      disposeInputs(chunk);
    }
    bns.forEach((bn, i) => {
      bn.runningMean.assign(saved[i][0]);
      bn.runningVar.assign(saved[i][1]);
    });
    tf.dispose(saved.flat());
    const points = tf.concat(parts); // [N, d]
    tf.dispose(parts);
    const centres = kmeans(points, this.config.K, this.config.kmeansIterations, rng);
    this.topics.assign(centres);
    tf.dispose([points, centres]);
  }

  /** Codes z [B, K·d] (no-topics: [B, d]) in inference mode; s(x, y) = ⟨z(x), z(y)⟩. */
  encode(x: ModelInputs): tf.Tensor2D {
    return tf.tidy(() => this.forward(x, false).codes);
  }

  /** Exact decomposition of s(a, b) for two single objects (docs/model.md eqs. (13)–(14″)). */
  explain(a: ModelInputs, b: ModelInputs): Explanation {
    if (batchSize(a) !== 1 || batchSize(b) !== 1) throw new ArgumentError('explain: a and b must each hold one object');
    const run = (x: ModelInputs): Forward => tf.tidy(() => this.forward(x, false) as unknown as tf.NamedTensorMap) as unknown as Forward;
    const fa = run(a);
    const fb = run(b);
    try {
      const c = this.config;
      const gamma = this.attention.gamma.dataSync()[0];
      return explainPair(fa, fb, { eps: c.eps, sqrtEps: c.sqrtEps, topics: this.usesTopics, gamma, spread: this.imageEncoder?.spread() ?? null });
    } finally {
      tf.dispose([...Object.values(fa), ...Object.values(fb)] as tf.Tensor[]);
    }
  }

  /** All weights incl. BatchNorm running statistics by stable name; live variables, do not dispose. */
  getWeights(): Record<string, tf.Tensor> {
    return this.store.all();
  }

  /** Restores weights saved by getWeights (every name, same shapes). */
  setWeights(w: Record<string, tf.Tensor>): void {
    this.store.assign(w);
  }

  dispose(): void {
    this.store.dispose();
  }
}
