/**
 * The `torch` backend as the model uses it: the joint loss and every weight gradient agree with the cpu
 * backend (images, documents), 20 training steps leave the
 * number of tfjs tensors and the addon's native tensors, allocations and bytes unchanged, `auto` picks
 * torch, and `--backend torch` without the addon is one line naming what to install.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { modelConfigSchema, parseConfig, trainConfigSchema } from '../../src/config.js';
import { loadDataset } from '../../src/data/registry.js';
import type { Dataset } from '../../src/data/types.js';
import { initEngine } from '../../src/engine/backend.js';
import { Rng } from '../../src/engine/random.js';
import * as tf from '../../src/engine/tf.js';
import { registerTorch, type NativeMemory } from '../../src/engine/torch/index.js';
import { disposeInputs } from '../../src/model/inputs.js';
import { SadslModel } from '../../src/model/sadsl.js';
import type { ModelInputs } from '../../src/model/types.js';
import { JointTrainer, jointLoss, lossWeights } from '../../src/train/joint-step.js';
import { Preprocessor } from '../../src/train/preprocess.js';
import { runCli } from '../support/cli.js';

const torch = registerTorch();
const TRAIN = parseConfig(trainConfigSchema, { P: 2, M: 4 }, 'train config');
let images: Dataset;
let texts: Dataset;

beforeAll(async () => {
  images = await loadDataset('sample-images', { cache: false });
  texts = await loadDataset('sample-text', { cache: false });
});

/** A model and one batch of 8 objects (2 classes × 4) for `domain`, made on the current backend. */
function setup(domain: 'image' | 'text', model: object, seed: number): { net: SadslModel; x: ModelInputs; labels: Int32Array; pre: Preprocessor; ds: Dataset } {
  const ds = domain === 'image' ? images : texts;
  const mc = parseConfig(modelConfigSchema, { kmeansIterations: 3, ...model }, 'model config');
  const pre = Preprocessor.fit(ds.train, mc.vocabSize, mc.maxLength);
  const net = SadslModel.create(mc, pre.input, seed);
  const rows = [0, 1, 2, 3].flatMap((i) => [ds.train.labels.indexOf(0, i * 3) , ds.train.labels.indexOf(1, i * 3)]);
  const x = pre.inputs(ds.train, rows);
  net.initTopics(x, new Rng(seed));
  return { net, x, labels: Int32Array.from(rows, (i) => ds.train.labels[i]), pre, ds };
}

/** `sadsl eval` on a missing model: the engine starts (and prints its line) before the model error. */
function cli(args: string[], env: Record<string, string>) {
  return runCli(['eval', '--model', '/nonexistent/run', ...args], { ...process.env, SADSL_BACKEND: '', SADSL_TEST_BACKEND: '', ...env });
}

/**
 * 12×12 images (2 classes × 4) and a small model: the cpu backend needs minutes for G and D at 28×28, and a
 * test that blocks the event loop that long fails vitest's worker RPC. The kernels run at the model's real
 * sizes in torch-kernels.test.ts.
 */
function smallImages(seed: number): { net: SadslModel; x: ModelInputs; labels: Int32Array } {
  const mc = parseConfig(modelConfigSchema, { d: 16, K: 4, imageChannels: [4, 8, 16], noiseDim: 4, kmeansIterations: 3 }, 'model config');
  const net = SadslModel.create(mc, { domain: 'image', height: 12, width: 12, channels: 1 }, seed);
  const x: ModelInputs = { domain: 'image', images: new Rng(seed).normalTensor([8, 12, 12, 1]) as tf.Tensor4D };
  net.initTopics(x, new Rng(seed));
  return { net, x, labels: Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1]) };
}

const MODELS = {
  image: { d: 32, K: 8, imageChannels: [8, 16, 32] },
  // a small vocabulary: the cpu backend's embedding gradient (UnsortedSegmentSum) loops over the rows
  text: { vocabSize: 200, maxLength: 64, d: 32, K: 8, docHidden: 64 },
} as const;

describe.skipIf(!torch.ok)(`torch backend in training${torch.ok ? '' : ` (skipped: ${torch.reason})`}`, () => {
  /** Loss terms and the gradient of every weight on `backend`. */
  const lossAndGrads = async (backend: string, domain: 'image' | 'text') => {
    await tf.setBackend(backend);
    const { net, x, labels } = domain === 'image' ? smallImages(4) : setup(domain, MODELS[domain], 4);
    const noise = new Rng(9).normalTensor([8, net.config.noiseDim]) as tf.Tensor2D;
    const names = new Map(Object.entries(net.getWeights()).map(([k, v]) => [(v as tf.Variable).name, k]));
    const groups = net.trainableGroups();
    let terms: number[] = [];
    const { value, grads } = tf.variableGrads(() => {
      const l = jointLoss(net, x, labels, lossWeights(net, TRAIN), { beta: TRAIN.beta, margin: TRAIN.margin }, noise);
      terms = [l.sim, l.rec, l.g, l.div, l.bal, l.total].map((t) => t.dataSync()[0]);
      return l.total;
    }, [...groups.main, ...groups.generator]);
    const g = Object.fromEntries(Object.entries(grads).map(([id, t]) => [names.get(id)!, t.dataSync().slice()]));
    tf.dispose([value, noise, ...Object.values(grads)]);
    net.dispose();
    disposeInputs(x);
    return { terms, g };
  };

  for (const domain of ['image', 'text'] as const) {
    it(`computes the joint loss and every weight gradient as cpu does (${domain === 'image' ? 'images' : 'documents'})`, async () => {
      await initEngine({ backend: 'torch' });
      const cpu = await lossAndGrads('cpu', domain);
      const ours = await lossAndGrads('torch', domain);
      cpu.terms.forEach((v, i) => expect(Math.abs(ours.terms[i] - v), `term ${i}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(v))));
      expect(Object.keys(ours.g).sort()).toEqual(Object.keys(cpu.g).sort());
      if (domain === 'text') expect(Object.keys(cpu.g)).toContain('enc.embedding.weight');
      for (const [k, a] of Object.entries(cpu.g)) {
        const b = ours.g[k];
        let scale = 0;
        let diff = 0;
        for (let i = 0; i < a.length; i++) {
          scale = Math.max(scale, Math.abs(a[i]));
          diff = Math.max(diff, Math.abs(a[i] - b[i]));
        }
        // float32 sums in another order: 1e-4 of the largest entry, 1e-6 absolute for gradients that are 0 in exact arithmetic (a bias before BatchNorm)
        expect(diff, k).toBeLessThanOrEqual(1e-4 * scale + 1e-6);
      }
    }, 300_000);
  }

  for (const domain of ['image', 'text'] as const) {
    it(`leaves tfjs tensors and native tensors, allocations and bytes unchanged over 20 steps (${domain})`, async () => {
      await initEngine({ backend: 'torch' });
      await tf.setBackend('torch');
      const { net, x, labels, pre, ds } = setup(domain, domain === 'image' ? { d: 64, K: 8, imageChannels: [16, 32, 64] } : MODELS.text, 5);
      disposeInputs(x);
      const rng = new Rng(5);
      const trainer = new JointTrainer(net, parseConfig(trainConfigSchema, { P: 2, M: 4 }, 'train config'), rng);
      const step = () => {
        const rows = rng.sample(Int32Array.from(ds.train.labels.keys()), 8);
        const xb = pre.inputs(ds.train, Array.from(rows));
        trainer.step(xb, labels.map((_, i) => ds.train.labels[rows[i]]));
        disposeInputs(xb);
      };
      // the first steps create Adam's slots and oneDNN's cached primitives
      for (let i = 0; i < 3; i++) step();
      const native = () => (tf.backend() as unknown as { nativeMemory(): NativeMemory }).nativeMemory();
      const before = { tensors: tf.memory().numTensors, ...native() };
      for (let i = 0; i < 20; i++) step();
      const after = { tensors: tf.memory().numTensors, ...native() };
      expect(after).toEqual(before);
      expect(before.nativeTensors).toBe(tf.engine().backend.numDataIds());
      trainer.dispose();
      net.dispose();
    });
  }

  it('is what auto picks when the addon is built', async () => {
    const r = await cli([], {});
    expect(r.stderr).toMatch(/^sadsl: engine torch \(auto\)$/m);
  });
});

describe('--backend torch without the addon', () => {
  it('is one line naming what to install, exit code 2', async () => {
    const r = await cli(['--backend', 'torch'], { SADSL_NO_TORCH: '1' });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/torch.*apt-get install libtorch-dev.*npm run build:native/);
  });

  it('auto falls back to wasm and says why', async () => {
    const r = await cli([], { SADSL_NO_TORCH: '1' });
    expect(r.stderr).toMatch(/^sadsl: engine wasm .*torch: disabled by SADSL_NO_TORCH=1/m);
  });
});
