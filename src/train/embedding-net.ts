/**
 * The network of the learned baselines (docs/model.md §6.2: "the same encoder"): SADSL's encoder E (docs/model.md §1,
 * `ImageEncoder` / `TextEncoder`, same config) followed by mean pooling over the real regions and L2
 * normalisation, g = ḡ / (‖ḡ‖ + ε) ∈ R^d. No self-attention and no topics: those are what SADSL adds.
 * The similarity is ⟨g(x), g(y)⟩ (cosine).
 */
import type { ModelConfig } from '../config.js';
import { Rng } from '../engine/random.js';
import * as tf from '../engine/tf.js';
import { ArgumentError } from '../errors.js';
import type { ImageEncoder } from '../model/encoder-image.js';
import type { TextEncoder } from '../model/encoder-text.js';
import { createEncoder } from '../model/encoder.js';
import { ParamStore } from '../model/params.js';
import type { InputSpec, ModelInputs } from '../model/types.js';

export class EmbeddingNet {
  /** Embedding size d. */
  readonly dim: number;
  readonly store: ParamStore;
  private readonly imageEncoder: ImageEncoder | null;
  private readonly textEncoder: TextEncoder | null;

  /** Weights drawn from `Rng(seed)`, initialised as SADSL's encoder. */
  constructor(
    readonly config: ModelConfig,
    readonly input: InputSpec,
    seed: number,
  ) {
    this.store = new ParamStore(new Rng(seed));
    this.dim = config.d;
    ({ imageEncoder: this.imageEncoder, textEncoder: this.textEncoder } = createEncoder(this.store, config, input));
  }

  /** Unit-norm embeddings g [B, d]; training = true uses and updates BatchNorm batch statistics. */
  embed(x: ModelInputs, training: boolean): tf.Tensor2D {
    if (x.domain !== this.input.domain) throw new ArgumentError(`network expects ${this.input.domain} inputs, got ${x.domain}`);
    return tf.tidy(() => {
      let pooled: tf.Tensor2D;
      if (x.domain === 'image') {
        pooled = tf.mean(this.imageEncoder!.apply(x.images, training), 1) as tf.Tensor2D; // [B, d]
      } else {
        const { features, regionMask } = this.textEncoder!.apply(x.ids, x.mask); // [B, R, d], [B, R]
        const sum = tf.sum(tf.mul(features, regionMask.expandDims(2)), 1); // [B, d]
        pooled = tf.div(sum, tf.sum(regionMask, 1, true)) as tf.Tensor2D; // [B, d]; segment 0 is always real
      }
      const norm = tf.norm(pooled, 'euclidean', 1, true); // [B, 1]
      return tf.div(pooled, tf.add(norm, this.config.eps)) as tf.Tensor2D; // [B, d]
    });
  }

  /** The document encoder's data-dependent centring (config `docCentring`, as SADSL's); a no-op for images. */
  centre(x: ModelInputs): void {
    if (x.domain === 'text' && this.config.docCentring === 'data') this.textEncoder!.centre(x.ids, x.mask);
  }

  /** Trainable variables (the encoder's; BatchNorm running statistics are not). */
  trainable(): tf.Variable[] {
    return this.store.trainable(['enc.']);
  }

  dispose(): void {
    this.store.dispose();
  }
}
