/**
 * Every tunable of sadsl with its default, in one place. Defaults are those of the model
 * (`docs/model.md`, spec v2) for Fashion-MNIST. Input is validated here (zod) so errors name the
 * offending field.
 */
import { z } from 'zod';
import { ArgumentError } from './errors.js';

export const VARIANTS = ['full', 'no-attention', 'no-adversarial', 'no-topics'] as const;
export type Variant = (typeof VARIANTS)[number];

/** The model specifications this build implements (docs/model.md; §7 lists what v3 changes). */
export const SPECS = ['v2', 'v3'] as const;
export type Spec = (typeof SPECS)[number];
/** The spec of a new run when none is asked for. */
export const DEFAULT_SPEC: Spec = 'v3';

export const modelConfigSchema = z.object({
  /**
   * Which spec the config follows. A stored config without the field is v2 (it predates v3); new runs get
   * `DEFAULT_SPEC` and the spec's defaults (`specDefaults`) under the fields given.
   */
  spec: z.enum(SPECS).default('v2'),
  /** Ablation: `no-attention` = uniform α, `no-adversarial` = no G/D (λ_rec = λ_adv = 0), `no-topics` = pooled g. */
  variant: z.enum(VARIANTS).default('full'),
  /** Region feature size d. */
  d: z.number().int().positive().default(128),
  /** Number of topics K. */
  K: z.number().int().positive().default(32),
  /** Temperature τ of the region–topic softmax. */
  tau: z.number().positive().default(0.1),
  /** γ of the object-level sharpening of the topic strengths, θ_k ∝ (Σ_r α_r a_{r,k})^γ (docs/model.md eq. (37); 1 = none; spec v3: 3). */
  thetaPower: z.number().positive().default(1),
  /** β of the floor of the topic strengths, θ ← (1 − β) θ + β / K: every topic keeps a little weight (0 = none). */
  thetaFloor: z.number().min(0).max(1).default(0),
  /** ε of v̂ = v / (‖v‖ + ε). */
  eps: z.number().positive().default(1e-6),
  /** Added under the square root of θ so its gradient stays finite. */
  sqrtEps: z.number().nonnegative().default(1e-8),
  /** Noise size of the generator input [h, z]. */
  noiseDim: z.number().int().positive().default(16),
  /** Topic initialisation: k-means over region features, or normal(0, 0.02). */
  topicInit: z.enum(['kmeans', 'random']).default('kmeans'),
  /**
   * Document encoder: 'data' sets the projection bias so that the segment features of the initialisation
   * sample have mean zero across documents before LayerNorm (docs/model.md eq. (3); see
   * `TextEncoder.centre`); 'none' keeps the random bias (as the reference).
   */
  docCentring: z.enum(['data', 'none']).default('data'),
  /** Training objects whose regions feed k-means (and the document centring). */
  kmeansObjects: z.number().int().positive().default(1000),
  /** Lloyd iterations of k-means. */
  kmeansIterations: z.number().int().positive().default(20),
  /** Image encoder channels of its three convolutions. */
  imageChannels: z.array(z.number().int().positive()).length(3).default([32, 64, 128]),
  /** Document encoder: vocabulary size (top training words). */
  vocabSize: z.number().int().positive().default(20000),
  /** Document encoder: maximum tokens per document L. */
  maxLength: z.number().int().positive().default(400),
  /** Document encoder: conv1d kernel width. */
  docKernel: z.number().int().positive().default(5),
  /** Document encoder: tokens per segment (max-pool window); R = L / window. */
  docWindow: z.number().int().positive().default(8),
  /** Document generator/discriminator hidden width. */
  docHidden: z.number().int().positive().default(512),
  /**
   * What the document discriminator reads (docs/model.md §4): 'distribution' = the word distribution as is
   * (v2: its entries are ~1/length, so D's first layer sees inputs near 0 and D stays at chance), 'unit' =
   * the same vector scaled to unit L2 norm (eq. (15b)), which makes a sparse real document and a flat
   * generated one differ by O(1).
   */
  docDInput: z.enum(['distribution', 'unit']).default('distribution'),
  /**
   * Class prototypes: one learned code-shaped proxy per training class (needs the class count at creation);
   * trained by the proxy term of the joint loss, never used to score objects.
   */
  proxies: z.boolean().default(false),
  /**
   * With class-assigned topics (train.lambdaCluster > 0, eq. (35)): 'equal' rounds K down to a multiple of the
   * class count C (at least C) when a run starts, so that every class owns ⌊K/C⌋ topics (docs/model.md eq. (36));
   * 'modulo' keeps K, and with K mod C ≠ 0 the first K mod C classes own one topic more; 'auto' is 'equal' for
   * documents and 'modulo' for images (STUDY.md §8: one topic per class lifted every 20 News metric, and cost
   * Fashion-MNIST 0.010 mAP at 3 per class). The run's config records the K it used.
   */
  classTopics: z.enum(['auto', 'equal', 'modulo']).default('auto'),
});
export type ModelConfig = z.infer<typeof modelConfigSchema>;

export const trainConfigSchema = z.object({
  /** Classes per batch P. */
  P: z.number().int().positive().default(8),
  /** Objects per class M. */
  M: z.number().int().positive().default(8),
  epochs: z.number().positive().default(1),
  /** Optional cap on steps (overrides epochs when smaller); for smoke runs. */
  maxSteps: z.number().int().positive().optional(),
  seed: z.number().int().nonnegative().default(0),
  /** Binomial deviance scale β and margin λ. */
  beta: z.number().positive().default(10),
  margin: z.number().default(0.5),
  /** Weight of the similarity (binomial deviance) term. */
  lambdaSim: z.number().nonnegative().default(1),
  lambdaRec: z.number().nonnegative().default(1),
  lambdaAdv: z.number().nonnegative().default(0.1),
  lambdaDiv: z.number().nonnegative().default(0.1),
  lambdaBal: z.number().nonnegative().default(0.5),
  /** Where the balance term measures topic usage: the batch mean of θ, or the class prototypes' topics. */
  balanceOn: z.enum(['batch', 'prototypes']).default('batch'),
  /** Weight of the prototype (NormSoftmax proxy) term on the codes; needs model.proxies. */
  lambdaProxy: z.number().nonnegative().default(0),
  /** Temperature of the prototype term's softmax over classes. */
  proxyTemperature: z.number().positive().default(0.05),
  /**
   * The prototypes' learning rate as a multiple of `lr` ("fast-moving proxies", Proxy-NCA++ / Proxy-Anchor); with
   * a value other than 1 they get their own Adam (optimiser group `prototypes`), else they share `main`'s.
   */
  proxyLrScale: z.number().positive().default(1),
  /** Weight of the per-object sharpness term mean_x H(θ(x)) / log K. */
  lambdaSharp: z.number().nonnegative().default(0),
  /** Weight of the prototype sharpness term mean_c H(π_c) / log K (π_c = topic energies of prototype c). */
  lambdaProtoSharp: z.number().nonnegative().default(0),
  /**
   * Weight of the class-assigned topics term (docs/model.md eq. (35)): topic k belongs to class k mod C and each
   * object keeps its θ mass on its class's topics (ProtoPNet's cluster cost); needs model.proxies (the class count).
   */
  lambdaCluster: z.number().nonnegative().default(0),
  /** Learning-rate schedule of every optimiser: constant, or linear warm-up then cosine decay to 0. */
  lrSchedule: z.enum(['constant', 'cosine']).default('constant'),
  /** Warm-up steps of the cosine schedule. */
  warmupSteps: z.number().int().nonnegative().default(0),
  /** Adam for encoder, attention and topics. */
  lr: z.number().positive().default(1e-3),
  beta1: z.number().min(0).max(1).default(0.9),
  /** Adam for generator and discriminator. */
  lrGan: z.number().positive().default(2e-4),
  beta1Gan: z.number().min(0).max(1).default(0.5),
  /** Training objects held out for per-epoch validation mAP (0 disables it). */
  validationSize: z.number().int().nonnegative().default(1000),
  /** Log losses every N steps. */
  logEvery: z.number().int().positive().default(20),
  /** Write a checkpoint every N steps (and at the end of each epoch). */
  checkpointEvery: z.number().int().positive().default(200),
});
export type TrainConfig = z.infer<typeof trainConfigSchema>;

/**
 * Adam's β2 and ε for every optimiser, SADSL's and the baselines' (PyTorch's defaults; tfjs' ε would be 1e-7).
 * Learning rates and β1 are `TrainConfig` fields.
 */
export const ADAM_DEFAULTS = { beta2: 0.999, epsilon: 1e-8 } as const;

/**
 * Engine: threads of the `torch` backend (ATen and oneDNN; `SADSL_TORCH_THREADS` overrides). One thread,
 * as the PyTorch reference is run: on the shared 2-core machines two threads were slower for batch-64 steps.
 * `wasmThreads`: XNNPACK threads of the `wasm` backend (`SADSL_WASM_THREADS` overrides); above 1 the threaded
 * SIMD build is loaded (`src/engine/wasm-threads.ts`). `auto` = the cores, at most `wasmMaxThreads`: on an idle
 * 2-core AMD EPYC two threads made a training step 1.36× (images) and 1.21× (documents) faster for ~20 % more
 * CPU time (README, Engine). The tests pin 1 (vitest.config.ts), as their workers already fill the cores.
 */
export const ENGINE_DEFAULTS = { torchThreads: 1, wasmThreads: 'auto', wasmMaxThreads: 4 } as const;

/**
 * `sadsl demo` (what `npm start` runs) on the embedded 2,000-image sample: epochs, run directory, the validation
 * objects held out of training, and a checkpoint interval beyond the run's length (a demo need not resume).
 */
export const DEMO_DEFAULTS = { epochs: 3, out: 'runs/demo', validationSize: 200, checkpointEvery: 1000 } as const;

/**
 * Dataset loading (`loadDataset`): image size of `images:/dir`, the seeded split of sources without one, cache;
 * the most pixels an image file may have before it is decoded (`decodeImage`: training folders and queries), and
 * its longest side (libvips cannot shrink a 1 × 39,000,000 image to 28 × 28; real photos are far below).
 */
export const DATA_DEFAULTS = { imageSize: 28, seed: 0, testFraction: 0.2, cache: true, maxInputPixels: 40_000_000, maxInputSide: 65_536 } as const;

/** The fields a spec sets differently from the schemas' defaults (which are v2's). */
export interface SpecDefaults {
  model: Partial<ModelConfig>;
  train: Partial<TrainConfig>;
}

/**
 * What spec v3 changes (docs/model.md §7): class prototypes on z (eq. (30)), the two sharpness terms (eqs.
 * (31)–(32)) and class-assigned topics (eq. (35)); the balance term stays on the batch's θ (eq. (22)). The weights
 * are the study's pick (results/model-v3/STUDY.md §7): class-assigned topics lifted both datasets' mAP (seed 0:
 * 20 News 0.40 → 0.46, Fashion-MNIST 0.73 → 0.75) and, with the batch balance, image topic purity 0.78 → 0.82.
 * How many topics each class owns is `model.classTopics` (schema default `auto`, STUDY.md §8); θ is sharpened
 * with γ = 3 (eq. (37), STUDY.md §9).
 */
const V3_DEFAULTS: SpecDefaults = {
  // θ sharpened with γ = 3 (eq. (37)): round 7 of the study (§9) lifted mAP and concentrated θ on both datasets.
  model: { spec: 'v3', proxies: true, thetaPower: 3 },
  train: { lambdaProxy: 1, lambdaProtoSharp: 1, lambdaSharp: 0.2, lambdaCluster: 1, balanceOn: 'batch' },
};

/** K of a run on C classes of a domain: eq. (36) when topics are class-assigned and `classTopics` asks for equal shares. */
export function topicCount(model: ModelConfig, train: TrainConfig, classes: number, domain: 'image' | 'text'): number {
  const equal = model.classTopics === 'equal' || (model.classTopics === 'auto' && domain === 'text');
  if (!equal || !(train.lambdaCluster > 0) || model.variant === 'no-topics' || classes < 1) return model.K;
  return classes * Math.max(1, Math.floor(model.K / classes));
}

export function specDefaults(spec: Spec): SpecDefaults {
  return spec === 'v3' ? V3_DEFAULTS : { model: { spec: 'v2' }, train: {} };
}

/**
 * The model and training configs of a new run: the asked spec (`model.spec`, else `DEFAULT_SPEC`), its
 * defaults, then the fields given; validated, errors name the field.
 */
export function resolveConfigs(model: Partial<ModelConfig> = {}, train: Partial<TrainConfig> = {}): { model: ModelConfig; train: TrainConfig } {
  const spec = parseConfig(z.object({ spec: z.enum(SPECS).default(DEFAULT_SPEC) }), { spec: model.spec }, 'model config').spec;
  const d = specDefaults(spec);
  return {
    model: parseConfig(modelConfigSchema, { ...d.model, ...model, spec }, 'model config'),
    train: parseConfig(trainConfigSchema, { ...d.train, ...train }, 'training config'),
  };
}

/**
 * Evaluation of SADSL's explanations (docs/model.md §6.3): hits per query whose topic contributions `top3Share`
 * measures, strongest database objects per topic that `topicPurity` looks at, same-class pairs of the
 * deletion faithfulness test.
 */
export const EXPLANATION_DEFAULTS = { hits: 10, purityObjects: 100, faithfulnessPairs: 200 } as const;

/** Baselines `pca` (images) and `lsa` (documents): dimensions kept; `lsa`'s subspace-iteration rounds. */
export const BASELINE_DEFAULTS = { dims: 128, lsaIterations: 10 } as const;

/**
 * The topic gallery (`sadsl topics`, `topicGallery`): renders of G(t_k) per topic (images), top objects shown per
 * topic, words per topic (documents), enlargement of image tiles, noise seed of the renders (topic k uses seed + k).
 * Its class purity looks at `EXPLANATION_DEFAULTS.purityObjects` objects per topic.
 */
export const GALLERY_DEFAULTS = { samples: 8, show: 8, words: 10, scale: 2, seed: 0 } as const;

/** Parses with a schema and turns zod's issues into one line naming each bad field. */
export function parseConfig<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const msg = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new ArgumentError(`invalid ${what}: ${msg}`);
}

/**
 * What a slow or hostile client may hold of the HTTP service (`sadsl serve` flags set each). Under fastify,
 * Node's request timeout is off and its header timeout is 60 s, so a few dozen byte-trickling clients could
 * hold the service; JSON bodies of this API are a few hundred bytes, so they get a far smaller limit than
 * image uploads, and a nesting depth (parsing 5 MB of `[[[…` blocks the event loop for a second).
 */
export const SERVE_LIMITS = {
  /** ms for a whole request (headers and body) to arrive; then a 408 and the connection closes. */
  requestTimeout: 30_000,
  /** ms for the request's headers to arrive (at most `requestTimeout`). */
  headersTimeout: 10_000,
  /** ms an idle keep-alive connection stays open. */
  keepAliveTimeout: 5_000,
  /** Connections open at once; further ones are closed as they arrive. */
  maxConnections: 256,
  /** Largest JSON body in bytes (uploads have `uploadLimit`). */
  jsonLimit: 64 * 1024,
  /** Deepest nesting of arrays and objects in a JSON body (a search body nests 2 deep). */
  jsonDepth: 8,
  /**
   * Most pixels of an uploaded image, read from its header before decoding (a 5 MB PNG can claim 40,000 ×
   * 40,000 pixels): a 24-megapixel camera's photo passes. At most `DATA_DEFAULTS.maxInputPixels`.
   */
  uploadPixels: 24_000_000,
  /**
   * Requests one client address may make per `rateWindow` (then 429 with Retry-After; 0 = no limit): the page
   * makes a few dozen per search (thumbnails, explanations), a script far more. Loopback clients are not
   * counted unless asked (`rateLimitLoopback`, serve/rate-limit.ts says why).
   */
  rateLimit: 1200,
  /** ms of a client's rate-limit window. */
  rateWindow: 60_000,
  /** ms for which /healthz and /readyz reuse the verdict of a probe search of the index (serve/health.ts). */
  probeInterval: 5_000,
} as const;
export type ServeLimits = { [K in keyof typeof SERVE_LIMITS]: number };
/** Largest topic weight the service takes: a steered code block stays far inside float32's range (1e39 is ∞). */
export const MAX_TOPIC_WEIGHT = 1e6;

/** How `sadsl index` stores codes (src/search/compact.ts): per object its topic blocks of largest mass. */
export const compactParamsSchema = z.object({
  /**
   * int8 or int4 (two values per byte, float16 scales) with a per-block scale, float16, or float32 (lossless when
   * maxBlocks ≥ K and maxDroppedMass = 0).
   */
  dtype: z.enum(['int4', 'int8', 'float16', 'float32']).default('int4'),
  /**
   * At most this many blocks per object: with d = 128, 15 int4 blocks take 1,024 bytes (int8: 7 blocks, 944).
   * On the Fashion-MNIST bench int4 ≤ 15 loses 0.0024 mAP against full codes, int8 ≤ 7 0.0115 (README).
   */
  maxBlocks: z.number().int().positive().default(15),
  /** Keep the fewest blocks whose dropped mass Σ θ_k is at most this (unless maxBlocks stops first). */
  maxDroppedMass: z.number().min(0).lt(1).default(0.02),
});
export type CompactParams = z.infer<typeof compactParamsSchema>;
export const COMPACT_DEFAULTS: CompactParams = compactParamsSchema.parse({});

/**
 * Exact search over compact codes (src/search/exact.ts). A query scores first only its head topics — its
 * largest-mass blocks, all but at most `tailMass` of its squared norm — and bounds what the rest can add by
 * Cauchy–Schwarz; only the objects whose bound can still reach the k-th best are scored in full, so the
 * result is the exact top-k. 0 scores every topic of the query in the first pass (no pruning).
 */
export const EXACT_DEFAULTS = {
  tailMass: 0.1,
  /** Rows per score tile: a tile of 64 queries × R floats is 16 MB. */
  range: 65536,
  /**
   * Bytes of stored blocks (as float32) up to which they stay on the engine between passes. wasm's heap is
   * at most 4 GB, so there 1.5 GB; the torch engine's tensors live in process memory, so there a third of RAM.
   */
  residentBytesWasm: 1.5 * 2 ** 30,
  residentRamShareTorch: 1 / 3,
} as const;

/** ANN index types `sadsl index --ann-index` offers (search/lance.ts). */
export const ANN_INDEX_TYPES = ['ivf_rq', 'ivf_pq', 'ivf_flat'] as const;
export type AnnIndexType = (typeof ANN_INDEX_TYPES)[number];

/** `sadsl index`: the ANN stage (src/search/lance.ts) and how its search parameters are chosen. */
export const INDEX_DEFAULTS = {
  /** Objects from which an index gets an ANN index (`--ann auto`); smaller ones are searched exactly. */
  annMinObjects: 10_000,
  /** D: LanceDB vectors are the codes projected onto their top D principal directions. */
  annDims: 256,
  /**
   * The ANN index type. IVF_RQ (RaBitQ codes, then exact re-ranking) on 1 M augmented Fashion-MNIST codes: recall@10
   * 0.952 / 0.977 with 10 / 20 candidates per hit at 15.7× / 14.2× exact search's one-query rate, from a 49 MB index;
   * IVF_PQ needed 1,000 candidates per hit for 0.973 (at 1.6×); IVF_FLAT matches RQ's speed from a 1 GB index
   * (README, Search at scale).
   */
  annIndex: 'ivf_rq' as AnnIndexType,
  /** Bits per dimension of the IVF_RQ codes. */
  annRqBits: 1,
  /** The build sweeps nprobes × refine factor and keeps the fastest setting with at least this recall@k. */
  annTargetRecall: 0.95,
  /** Held-out queries (objects of the other split) that recall and speed are measured on. */
  annQueries: 100,
  /** k of recall@k. */
  annK: 10,
  /** Codes the projection is fitted on (a seeded sample of the indexed objects). */
  projectionSample: 4096,
  /** Objects encoded per batch while indexing. */
  batchSize: 256,
  /**
   * LanceDB's k-means of the IVF partitions: Lloyd iterations and training samples per partition (LanceDB's own
   * defaults are 50 and 256; after the exact re-ranking recall barely changes and the build takes half as long).
   */
  annKmeansIterations: 20,
  annSampleRate: 128,
  /** The search setting of an index built without held-out queries to measure one on. */
  annSearch: { nprobes: 20, refineFactor: 10 },
  /**
   * The build's sweep: per nprobes, refine factors from the cheapest up to the first that reaches the target recall
   * (on 1 M augmented Fashion-MNIST codes recall@10 needs a refine factor of 1,000: 0.973, 500: 0.933).
   */
  annSweepProbes: [10, 20, 40, 80, 160],
  annSweepRefine: [5, 10, 20, 40, 100, 200, 500, 1000],
} as const;
