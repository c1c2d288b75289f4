/** `sadsl topics`: the topic gallery of a model (renders of G(t_k), top objects, class purity) as PNG + JSON + HTML. */
import { Command } from 'commander';
import { EXPLANATION_DEFAULTS, GALLERY_DEFAULTS } from '../config.js';
import { loadDataset } from '../data/registry.js';
import { writeGallery } from '../explain/gallery-view.js';
import { topicGallery } from '../explain/gallery.js';
import { loadModel } from '../train/trained-model.js';
import { parseNumber, progressBar, startEngine } from './common.js';

export function topicsCommand(): Command {
  return new Command('topics')
    .description('topic gallery: renders of each topic, its top training objects and their class purity')
    .requiredOption('--model <dir>', 'saved model (or run directory)')
    .requiredOption('--out <dir>', 'output directory (gallery.png, gallery.json, gallery.html)')
    .option('--dataset <spec>', 'dataset whose training split is ranked (default: the model\'s)')
    .option('--samples <n>', 'renders per topic', parseNumber('samples', true), GALLERY_DEFAULTS.samples)
    .option('--show <n>', 'top objects shown per topic', parseNumber('show', true), GALLERY_DEFAULTS.show)
    .option('--purity-top <n>', 'top objects per topic for the class purity', parseNumber('purity-top', true), EXPLANATION_DEFAULTS.purityObjects)
    .option('--max-objects <n>', 'rank only the first n training objects', parseNumber('max-objects', true))
    .option('--seed <n>', 'noise seed of the renders', parseNumber('seed', true), GALLERY_DEFAULTS.seed)
    .action(async (o: { model: string; out: string; dataset?: string; samples: number; show: number; purityTop: number; maxObjects?: number; seed: number }, cmd: Command) => {
      await startEngine(cmd);
      const model = await loadModel(o.model);
      try {
        const ds = await loadDataset(o.dataset ?? model.dataset.spec);
        const bar = progressBar('encode');
        const g = await topicGallery(model, ds, {
          samples: o.samples,
          show: o.show,
          purityTop: o.purityTop,
          maxObjects: o.maxObjects,
          seed: o.seed,
          onProgress: (d, t) => bar.update(d, t),
        });
        bar.stop();
        const files = await writeGallery(g, o.out);
        console.log(`${g.K} topics, mean purity of the top ${g.purityTop}: ${g.meanPurity.toFixed(4)}`);
        for (const t of g.topics) {
          const words = t.words ? `\n      G(t_k): ${t.words.map((w) => w.word).join(' ')}\n      distinctive: ${(t.distinctive ?? []).map((w) => w.word).join(' ')}` : '';
          console.log(`  topic ${String(t.topic).padStart(3)}: purity ${t.purity.toFixed(2)} (${t.majorityClass})${words}`);
        }
        console.log(`wrote ${files.join(', ')}`);
      } finally {
        model.dispose();
      }
    });
}
