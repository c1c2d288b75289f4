/**
 * One joint training step of SADSL (docs/model.md eq. (23), §5.5; spec v3 adds eq. (34), §7.3):
 *   L = L_sim + λ_rec L_rec + λ_adv L_G + λ_div L_div + λ_bal L_bal   updates encoder, attention, topics and G;
 *       (+ λ_proto L_proto + λ_sharp L_sharp + λ_psharp L_psharp + λ_cluster L_cluster with class prototypes)
 *   L_D                                                              then updates D, once, on the same batch.
 * Order of operations, as the reference's training step:
 *   1. forward in training mode (encoder/attention BatchNorm statistics update once);
 *   2. L_rec renders G(h, 0) and L_G renders G(h, z) with one noise draw z ~ N(0, I) from the Rng: two G passes
 *      in training mode, so G's BatchNorm running statistics update twice per step; L_G's D pass is in training
 *      mode too (D's statistics update, D's weights get no gradient);
 *   3. gradients of L w.r.t. the main and generator groups, one Adam step each;
 *   4. L_D = D(x) and D(fake) in two separate training-mode passes (batch statistics of each), where `fake`
 *      is the G(h, z) of step 2 — rendered before G's update, with the same noise, detached — and one Adam step.
 * Variants: no-adversarial has no G/D, so λ_rec = λ_adv = 0 and no D step; no-topics has no L_div/L_bal
 * (h = g, the pooled embedding). Adam: β2 0.999, ε 1e-8 (torch's defaults, tfjs' ε would be 1e-7); tfjs's
 * AdamOptimizer with one fused kernel per weight where the backend has it (src/engine/adam.ts).
 */
import { ADAM_DEFAULTS, type TrainConfig } from '../config.js';
import { FusedAdamOptimizer } from '../engine/adam.js';
import type { Rng } from '../engine/random.js';
import * as tf from '../engine/tf.js';
import { ArgumentError, ModelError } from '../errors.js';
import { batchSize } from '../model/inputs.js';
import type { SadslModel } from '../model/sadsl.js';
import type { ModelInputs } from '../model/types.js';
import { discriminatorLoss, generatorLoss } from './losses/sadsl/adversarial.js';
import { topicBalanceLoss } from './losses/sadsl/balance.js';
import { topicDiversityLoss } from './losses/sadsl/diversity.js';
import { documentReconstructionLoss, imageReconstructionLoss } from './losses/sadsl/reconstruction.js';
import { similarityLoss } from './losses/sadsl/similarity.js';
import { clusterLoss } from './losses/sadsl/cluster.js';
import { meanEntropyLoss, prototypeLoss, prototypeTopics } from './losses/sadsl/prototype.js';
import { lrFactor, setLearningRate } from './schedule.js';

export interface StepLosses {
  sim: number;
  rec: number;
  g: number;
  d: number;
  div: number;
  bal: number;
  proto: number;
  sharp: number;
  cluster: number;
  /** L (without L_D). */
  total: number;
}

/** The λ's of the joint loss (L_sim has weight 1). */
export interface LossWeights {
  sim: number;
  rec: number;
  adv: number;
  div: number;
  bal: number;
  proto: number;
  /** Per-object sharpness mean_x H(θ(x)) / log K. */
  sharp: number;
  /** Prototype sharpness mean_c H(π_c) / log K. */
  protoSharp: number;
  /** Class-assigned topics: mean_x −log Σ_{k∈T(y)} θ_k(x). */
  cluster: number;
  balanceOn: 'batch' | 'prototypes';
  proxyTemperature: number;
}

/** The terms of L for one batch; `fake` = G(h, z) for the D step (null without the adversarial branch). */
export interface JointLoss {
  sim: tf.Scalar;
  rec: tf.Scalar;
  g: tf.Scalar;
  div: tf.Scalar;
  bal: tf.Scalar;
  proto: tf.Scalar;
  sharp: tf.Scalar;
  cluster: tf.Scalar;
  total: tf.Scalar;
  fake: tf.Tensor | null;
}

/** Optimiser groups: `prototypes` is split off `main` only when config proxyLrScale ≠ 1. */
type Group = 'main' | 'prototypes' | 'generator' | 'discriminator';
type NamedTensor = { name: string; tensor: tf.Tensor };

const { beta2: ADAM_BETA2, epsilon: ADAM_EPSILON } = ADAM_DEFAULTS;

/** tfjs 4.22's AdamOptimizer keeps the bias-correction powers β1^t, β2^t in private variables; its setWeights
 *  recomputes them with pow(), which differs from the running product by an ulp, so the state saves them too
 *  and a resumed run is bit-identical. */
interface AdamPowers {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

function adamPowers(opt: tf.AdamOptimizer): AdamPowers {
  const p = opt as unknown as Partial<AdamPowers>;
  if (!(p.accBeta1 instanceof tf.Variable) || !(p.accBeta2 instanceof tf.Variable)) {
    throw new ModelError('optimiser state: this tfjs version has no Adam accBeta1/accBeta2');
  }
  return p as AdamPowers;
}

/** The configured λ's with the terms the model's variant has no branch for set to 0. */
export function lossWeights(model: SadslModel, config: TrainConfig): LossWeights {
  const topics = model.config.variant !== 'no-topics';
  const proto = model.prototypes ? config.lambdaProxy : 0;
  if (config.lambdaProxy > 0 && !model.prototypes) throw new ArgumentError('lambdaProxy > 0 needs a model with class prototypes (model.proxies)');
  if (config.lambdaCluster > 0 && !model.prototypes) throw new ArgumentError('lambdaCluster > 0 needs the class count: a model with class prototypes (model.proxies)');
  return {
    sim: config.lambdaSim,
    rec: model.hasAdversarial ? config.lambdaRec : 0,
    adv: model.hasAdversarial ? config.lambdaAdv : 0,
    div: topics ? config.lambdaDiv : 0,
    bal: topics ? config.lambdaBal : 0,
    proto,
    sharp: topics ? config.lambdaSharp : 0,
    protoSharp: topics && model.prototypes ? config.lambdaProtoSharp : 0,
    cluster: topics && model.prototypes ? config.lambdaCluster : 0,
    balanceOn: model.prototypes ? config.balanceOn : 'batch',
    proxyTemperature: config.proxyTemperature,
  };
}

/** What G renders and D judges: images [B, H, W, C] or normalised word counts [B, V]. */
function realObjects(x: ModelInputs): tf.Tensor {
  return x.domain === 'image' ? x.images : x.bow;
}

/**
 * L and its terms for one batch, in training mode (BatchNorm statistics update). Call inside tf.tidy or
 * tf.variableGrads. `noise` [B, noiseDim] feeds L_G; it is required exactly when the model has G and D.
 */
export function jointLoss(
  model: SadslModel,
  x: ModelInputs,
  labels: Int32Array,
  weights: LossWeights,
  deviance: { beta: number; margin: number },
  noise: tf.Tensor2D | null,
): JointLoss {
  const fwd = model.forward(x, true);
  const zero = tf.scalar(0);
  const sim = similarityLoss(fwd.codes, labels, deviance);
  const topics = model.config.variant !== 'no-topics';
  const div = topics ? topicDiversityLoss(model.topics as tf.Tensor2D) : zero;
  const protos = model.prototypes as tf.Tensor2D | null;
  const pi = topics && protos ? prototypeTopics(protos, model.config.K) : null; // [C, K]
  const bal = topics ? topicBalanceLoss(weights.balanceOn === 'prototypes' && pi ? pi : fwd.theta) : zero;
  const proto = protos && weights.proto > 0 ? prototypeLoss(fwd.codes, protos, labels, weights.proxyTemperature) : zero;
  const sharp = topics && weights.sharp > 0 ? meanEntropyLoss(fwd.theta) : zero;
  const protoSharp = pi && weights.protoSharp > 0 ? meanEntropyLoss(pi) : zero;
  const cluster = protos && weights.cluster > 0 ? clusterLoss(fwd.theta, labels, protos.shape[0]) : zero;
  let rec = zero;
  let g = zero;
  let fake: tf.Tensor | null = null;
  if (model.hasAdversarial) {
    if (noise === null) throw new ArgumentError('jointLoss: the adversarial branch needs noise');
    const h = fwd.topicCode; // [B, d]
    const zeroNoise = tf.zerosLike(noise);
    // G(h, 0): the image, or the word logits (log-softmax inside the loss, as the reference).
    rec =
      x.domain === 'image'
        ? imageReconstructionLoss(x.images, model.generate(h, zeroNoise, true))
        : documentReconstructionLoss(x.bow, model.generateLogits(h, zeroNoise));
    fake = model.generate(h, noise, true); // G(h, z): [B, H, W, C] or [B, V]
    g = generatorLoss(model.discriminate(fake, true));
  }
  const total = tf.addN([
    tf.mul(sim, weights.sim),
    tf.mul(rec, weights.rec),
    tf.mul(g, weights.adv),
    tf.mul(div, weights.div),
    tf.mul(bal, weights.bal),
    tf.mul(proto, weights.proto),
    tf.mul(sharp, weights.sharp),
    tf.mul(protoSharp, weights.protoSharp),
    tf.mul(cluster, weights.cluster),
  ]) as tf.Scalar;
  return { sim, rec, g, div, bal, proto, sharp, cluster, total, fake };
}

export class JointTrainer {
  readonly weights: LossWeights;
  private readonly groups: Record<Group, tf.Variable[]>;
  private readonly optimizers = new Map<Group, tf.AdamOptimizer>();
  /** tfjs variable name (process-global, not stable) → the model's stable weight name. */
  private readonly stableNames = new Map<string, string>();

  constructor(
    readonly model: SadslModel,
    readonly config: TrainConfig,
    private readonly rng: Rng,
  ) {
    this.weights = lossWeights(model, config);
    const groups = model.trainableGroups();
    const split = model.prototypes !== null && config.proxyLrScale !== 1;
    const isProto = (v: tf.Variable) => v === model.prototypes;
    this.groups = {
      ...groups,
      main: split ? groups.main.filter((v) => !isProto(v)) : groups.main,
      prototypes: split ? groups.main.filter(isProto) : [],
    };
    for (const [name, v] of Object.entries(model.getWeights())) {
      if (v instanceof tf.Variable) this.stableNames.set(v.name, name);
    }
    for (const group of this.activeGroups()) this.optimizers.set(group, this.newOptimizer(group));
  }

  private activeGroups(): Group[] {
    const main: Group[] = this.groups.prototypes.length > 0 ? ['main', 'prototypes'] : ['main'];
    return this.model.hasAdversarial ? [...main, 'generator', 'discriminator'] : main;
  }

  /** The group's base learning rate (before the schedule's factor). */
  private groupLr(group: Group): number {
    const c = this.config;
    return group === 'main' ? c.lr : group === 'prototypes' ? c.lr * c.proxyLrScale : c.lrGan;
  }

  private newOptimizer(group: Group): tf.AdamOptimizer {
    const c = this.config;
    const gan = group === 'generator' || group === 'discriminator';
    return new FusedAdamOptimizer(this.groupLr(group), gan ? c.beta1Gan : c.beta1, ADAM_BETA2, ADAM_EPSILON);
  }

  private stableName(v: tf.Variable): string {
    const name = this.stableNames.get(v.name);
    if (name === undefined) throw new ModelError(`trainer: variable ${v.name} is not among the model's weights`);
    return name;
  }

  /** Applies the gradients of one group in the group's fixed variable order (Adam keys its moments by
   *  position); variables the loss does not reach are skipped, the same ones every step. */
  private apply(group: Group, grads: tf.NamedTensorMap): void {
    const list: NamedTensor[] = [];
    for (const v of this.groups[group]) {
      const g = grads[v.name];
      if (g) list.push({ name: v.name, tensor: g });
    }
    if (list.length > 0) this.optimizers.get(group)!.applyGradients(list);
  }

  /**
   * Sets every optimiser's learning rate for step `step` (1-based) of `total` (config lrSchedule): constant,
   * or a linear warm-up over warmupSteps then a cosine decay to 0 at the last step.
   */
  setSchedule(step: number, total: number): void {
    const f = lrFactor(this.config, step, total);
    for (const [group, opt] of this.optimizers) setLearningRate(opt, f * this.groupLr(group));
  }

  step(x: ModelInputs, labels: Int32Array): StepLosses {
    const B = batchSize(x);
    if (labels.length !== B) throw new ArgumentError(`labels: ${labels.length} labels for a batch of ${B}`);
    const adversarial = this.model.hasAdversarial;
    const noise = adversarial ? (this.rng.normalTensor([B, this.model.config.noiseDim]) as tf.Tensor2D) : null;
    const deviance = { beta: this.config.beta, margin: this.config.margin };
    // Tensors that outlive the gradient scope: the loss terms and G(h, z).
    const kept: { terms?: tf.Tensor1D; fake?: tf.Tensor } = {};
    const main = tf.variableGrads(() => {
      const l = jointLoss(this.model, x, labels, this.weights, deviance, noise);
      kept.terms = tf.keep(tf.stack([l.sim, l.rec, l.g, l.div, l.bal, l.proto, l.sharp, l.cluster, l.total]) as tf.Tensor1D);
      if (l.fake) kept.fake = tf.keep(l.fake);
      return l.total;
    }, [...this.groups.main, ...this.groups.prototypes, ...this.groups.generator]);
    this.apply('main', main.grads);
    if (this.groups.prototypes.length > 0) this.apply('prototypes', main.grads);
    if (adversarial) this.apply('generator', main.grads);
    tf.dispose([main.value, ...Object.values(main.grads)]);

    let dLoss: tf.Scalar | undefined;
    const fake = kept.fake;
    if (fake) {
      const real = realObjects(x);
      const disc = tf.variableGrads(
        () => discriminatorLoss(this.model.discriminate(real, true), this.model.discriminate(fake, true)),
        this.groups.discriminator,
      );
      this.apply('discriminator', disc.grads);
      dLoss = disc.value;
      tf.dispose(Object.values(disc.grads));
    }
    const terms = kept.terms!;
    const values = tf.tidy(() => tf.concat([terms, dLoss ? tf.reshape(dLoss, [1]) : tf.zeros([1])]).dataSync());
    tf.dispose([terms, ...(noise ? [noise] : []), ...(fake ? [fake] : []), ...(dLoss ? [dLoss] : [])]);
    const [sim, rec, g, div, bal, proto, sharp, cluster, total, d] = values;
    return { sim, rec, g, d, div, bal, proto, sharp, cluster, total };
  }

  /**
   * Optimiser state (step counters, Adam first/second moments) as `<group>/iter`, `<group>/beta1Power`,
   * `<group>/beta2Power` and `<group>/<model weight name>/m|v`. The tensors are copies: the caller owns and
   * disposes them.
   */
  async getState(): Promise<Record<string, tf.Tensor>> {
    const out: Record<string, tf.Tensor> = {};
    for (const [group, opt] of this.optimizers) {
      const [iter, ...moments] = await opt.getWeights();
      out[`${group}/iter`] = iter.tensor;
      const powers = adamPowers(opt);
      out[`${group}/beta1Power`] = tf.clone(powers.accBeta1);
      out[`${group}/beta2Power`] = tf.clone(powers.accBeta2);
      for (const { name, tensor } of moments) {
        const slash = name.lastIndexOf('/');
        const variable = this.groups[group].find((v) => v.name === name.slice(0, slash));
        if (!variable) throw new ModelError(`trainer: optimiser slot ${name} has no variable in group ${group}`);
        out[`${group}/${this.stableName(variable)}${name.slice(slash)}`] = tf.clone(tensor);
      }
    }
    return out;
  }

  /** Restores a `getState` result exactly (the caller keeps ownership of `s`). Async: tfjs reads the step
   *  counter back from its tensor. */
  async setState(s: Record<string, tf.Tensor>): Promise<void> {
    const restored = new Map<Group, tf.AdamOptimizer>();
    try {
      for (const group of this.activeGroups()) {
        const iter = s[`${group}/iter`];
        if (!iter) throw new ModelError(`optimiser state: missing '${group}/iter'`);
        const first: NamedTensor[] = [];
        const second: NamedTensor[] = [];
        // Same order as `apply`: the group's variables that have moments.
        for (const v of this.groups[group]) {
          const key = `${group}/${this.stableName(v)}`;
          const m = s[`${key}/m`];
          const vv = s[`${key}/v`];
          if (!m && !vv) continue;
          if (!m || !vv) throw new ModelError(`optimiser state: '${key}' has only one of its two Adam moments`);
          for (const t of [m, vv]) {
            if (!tf.util.arraysEqual(t.shape, v.shape)) {
              throw new ModelError(`optimiser state: '${key}' has shape [${t.shape}], expected [${v.shape}]`);
            }
          }
          first.push({ name: `${v.name}/m`, tensor: m });
          second.push({ name: `${v.name}/v`, tensor: vv });
        }
        const opt = this.newOptimizer(group);
        restored.set(group, opt);
        await opt.setWeights([{ name: 'iter', tensor: iter }, ...first, ...second]);
        const powers = adamPowers(opt);
        for (const [key, v] of [['beta1Power', powers.accBeta1], ['beta2Power', powers.accBeta2]] as const) {
          const t = s[`${group}/${key}`];
          if (!t || t.size !== 1) throw new ModelError(`optimiser state: missing scalar '${group}/${key}'`);
          tf.tidy(() => v.assign(tf.reshape(t, [])));
        }
      }
    } catch (e) {
      for (const opt of restored.values()) opt.dispose();
      throw e;
    }
    for (const [group, opt] of restored) {
      this.optimizers.get(group)?.dispose();
      this.optimizers.set(group, opt);
    }
  }

  /** Disposes the optimiser state (not the model). */
  dispose(): void {
    for (const opt of this.optimizers.values()) opt.dispose();
    this.optimizers.clear();
  }
}
