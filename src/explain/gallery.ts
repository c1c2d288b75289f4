/**
 * The topic gallery (docs/model.md §2, §4): for each topic k, renders of G(t_k) with different noise, the
 * training objects with the highest θ_k, and the topic's class purity (the share of its top-100 objects in
 * its majority class); for documents, the top words of G(t_k) and the first words of its top objects.
 */
import { EXPLANATION_DEFAULTS, GALLERY_DEFAULTS } from '../config.js';
import type { Dataset, ImageSplit, Split, TextSplit } from '../data/types.js';
import { formatRef } from '../data/refs.js';
import { ArgumentError } from '../errors.js';
import type { DenseCodes } from '../train/codes.js';
import type { TrainedModel } from '../train/trained-model.js';
import { composeTiles, encodePng, splitImage } from './png.js';
import { distinctiveWords, firstWords, topWords } from './words.js';

/** Indices of the `count` objects with the largest θ_k (θ is [n, K]; ties: lower index first). */
export function topObjects(theta: ArrayLike<number>, K: number, k: number, count: number): number[] {
  const n = theta.length / K;
  return Array.from({ length: n }, (_, i) => i)
    .sort((x, y) => theta[y * K + k] - theta[x * K + k] || x - y)
    .slice(0, count);
}

/** The majority class among `indices` and its share (ties: lower class index). */
export function purity(labels: ArrayLike<number>, indices: readonly number[]): { majority: number; purity: number } {
  const counts = new Map<number, number>();
  for (const i of indices) counts.set(labels[i], (counts.get(labels[i]) ?? 0) + 1);
  let majority = -1;
  let best = 0;
  for (const [c, n] of counts) {
    if (n > best || (n === best && c < majority)) {
      majority = c;
      best = n;
    }
  }
  return { majority, purity: indices.length ? best / indices.length : 0 };
}

export interface GalleryObject {
  ref: string;
  theta: number;
  label: string;
  /** Documents: the first words the model reads. */
  words?: string[];
}

export interface GalleryTopic {
  topic: number;
  /** Share of the top-`purityTop` objects in the majority class. */
  purity: number;
  majorityClass: string;
  /** Mean θ_k over the objects encoded. */
  meanTheta: number;
  topObjects: GalleryObject[];
  /** Images: a row of renders of G(t_k) (sample 0 without noise), PNG. */
  samplesPng?: Buffer;
  /** Images: the top objects as a row, PNG. */
  objectsPng?: Buffer;
  /** Documents: top words of G(t_k). */
  words?: { word: string; p: number }[];
  /** Documents: the words G(t_k) gives more weight than the other topics do (`distinctiveWords`). */
  distinctive?: { word: string; p: number }[];
}

export interface Gallery {
  dataset: string;
  domain: 'image' | 'text';
  K: number;
  /** Objects of the training split encoded for θ. */
  objects: number;
  purityTop: number;
  meanPurity: number;
  topics: GalleryTopic[];
}

export interface GalleryOptions {
  /** Renders per topic (default: `GALLERY_DEFAULTS`, as the other options). */
  samples?: number;
  /** Top objects shown per topic. */
  show?: number;
  /** Top objects for the purity (default `EXPLANATION_DEFAULTS.purityObjects`). */
  purityTop?: number;
  /** Encode only the first `maxObjects` training objects (default all). */
  maxObjects?: number;
  /** Codes (with θ) of the first n training objects, already encoded (reused instead of encoding again). */
  codes?: DenseCodes;
  /** Words per topic for documents. */
  words?: number;
  /** Enlargement of image tiles. */
  scale?: number;
  seed?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Objects encoded per chunk: only θ [n, K] is kept, not the codes [n, K·d] (60,000 × 4,096 floats would not fit). */
const CHUNK = 4096;

async function encodeTheta(model: TrainedModel, split: Split, n: number, onProgress?: (done: number, total: number) => void): Promise<{ values: Float32Array; K: number }> {
  const K = model.config.K;
  const values = new Float32Array(n * K);
  for (let start = 0; start < n; start += CHUNK) {
    const end = Math.min(n, start + CHUNK);
    const c = await model.encode({ split, indices: Int32Array.from({ length: end - start }, (_, i) => start + i) });
    values.set(c.theta!.values, start * K);
    onProgress?.(end, n);
  }
  return { values, K };
}

/** The topic gallery of a model over the training split of `ds`. */
export async function topicGallery(model: TrainedModel, ds: Dataset, opts: GalleryOptions = {}): Promise<Gallery> {
  if (model.config.variant === 'no-topics') throw new ArgumentError('the gallery needs topics (this model is variant no-topics)');
  const thetaOf = opts.codes?.theta ?? (await encodeTheta(model, ds.train, Math.min(ds.train.n, opts.maxObjects ?? ds.train.n), opts.onProgress));
  if (!thetaOf) throw new ArgumentError('the gallery needs topic strengths θ');
  const theta = thetaOf.values;
  const K = thetaOf.K;
  const n = theta.length / K;
  const purityTop = opts.purityTop ?? EXPLANATION_DEFAULTS.purityObjects;
  const show = opts.show ?? GALLERY_DEFAULTS.show;
  const scale = opts.scale ?? GALLERY_DEFAULTS.scale;
  const vocab = model.preprocessor.vocabulary;
  const topics: GalleryTopic[] = [];
  const distributions: Float32Array[] = []; // documents: G(t_k) [K][V]
  for (let k = 0; k < K; k++) {
    const top = topObjects(theta, K, k, Math.max(purityTop, show));
    const p = purity(ds.train.labels, top.slice(0, purityTop));
    let meanTheta = 0;
    for (let i = 0; i < n; i++) meanTheta += theta[i * K + k] / n;
    const t: GalleryTopic = {
      topic: k,
      purity: p.purity,
      majorityClass: ds.classes[p.majority] ?? '',
      meanTheta,
      topObjects: top.slice(0, show).map((i) => ({
        ref: formatRef('train', i),
        theta: theta[i * K + k],
        label: ds.classes[ds.train.labels[i]],
        ...(ds.train.kind === 'text' && vocab ? { words: firstWords((ds.train as TextSplit).texts[i], vocab, 12) } : {}),
      })),
    };
    if (ds.train.kind === 'image') {
      const split = ds.train as ImageSplit;
      t.objectsPng = await composeTiles(await Promise.all(top.slice(0, show).map(async (i) => ({ png: await encodePng(splitImage(split, i), scale) }))), { gap: 2 });
    }
    if (model.net.hasAdversarial) {
      const g = await model.generate(k, { samples: ds.domain === 'image' ? (opts.samples ?? GALLERY_DEFAULTS.samples) : 1, seed: (opts.seed ?? GALLERY_DEFAULTS.seed) + k });
      if (g.kind === 'image') {
        const size = g.height * g.width * g.channels;
        const count = g.pixels.length / size;
        const tiles = await Promise.all(
          Array.from({ length: count }, async (_, s) => ({
            png: await encodePng({ height: g.height, width: g.width, channels: g.channels, pixels: g.pixels.subarray(s * size, (s + 1) * size) }, scale),
          })),
        );
        t.samplesPng = await composeTiles(tiles, { gap: 2 });
      } else if (vocab) {
        t.words = topWords(g.probabilities, vocab, opts.words ?? GALLERY_DEFAULTS.words);
        distributions.push(g.probabilities);
      }
    }
    topics.push(t);
  }
  if (vocab && distributions.length === K) {
    topics.forEach((t, k) => (t.distinctive = distinctiveWords(distributions, k, vocab, opts.words ?? GALLERY_DEFAULTS.words)));
  }
  return {
    dataset: ds.name,
    domain: ds.domain,
    K,
    objects: n,
    purityTop,
    meanPurity: topics.reduce((s, t) => s + t.purity, 0) / K,
    topics,
  };
}
