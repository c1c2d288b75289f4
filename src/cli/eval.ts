/** `sadsl eval`: the retrieval protocol for a trained model (database = train split, queries = test). */
import { Command } from 'commander';
import { loadDataset } from '../data/registry.js';
import { EXPLANATION_DEFAULTS } from '../config.js';
import { evaluateProtocol, type ProtocolResult } from '../eval/evaluate-model.js';
import { meanFaithfulness, type MeanFaithfulness } from '../explain/faithfulness.js';
import { loadModel, type TrainedModel } from '../train/trained-model.js';
import { parseNumber, progressBar, startEngine } from './common.js';

export type EvalResult = ProtocolResult & { faithfulness?: MeanFaithfulness };

/** The protocol, and the deletion faithfulness of the model's explanations over `faithfulness` pairs (0 = skip). */
export async function evaluateModel(model: TrainedModel, spec: string, o: { queries?: number; seed?: number; faithfulness?: number }): Promise<EvalResult> {
  const ds = await loadDataset(spec, { seed: o.seed });
  const bar = progressBar('eval', '{stage} {bar} {value}/{total} eta {eta}s');
  try {
    const r: EvalResult = await evaluateProtocol(ds, (split, indices, onProgress) => model.encode({ split, indices }, { onProgress }), {
      queries: o.queries,
      seed: o.seed,
      onProgress: (stage, done, total) => bar.update(done, total, { stage }),
    });
    const pairs = o.faithfulness ?? EXPLANATION_DEFAULTS.faithfulnessPairs;
    if (pairs > 0) {
      bar.update(0, pairs, { stage: 'faithfulness' });
      r.faithfulness = await meanFaithfulness(model, ds, { pairs, seed: o.seed });
    }
    return r;
  } finally {
    bar.stop();
  }
}

export function formatResult(r: EvalResult): string {
  const f = (x: number) => x.toFixed(4);
  const lines = [
    `queries ${r.queries} against ${r.database} database objects`,
    `mAP ${f(r.mAP)}  P@10 ${f(r.precisionAt10)}  P@100 ${f(r.precisionAt100)}  R-precision ${f(r.rPrecision)}  MAP@R ${f(r.mapAtR)}  NDCG@10 ${f(r.ndcgAt10)}`,
    `PR (11 points): ${r.pr.map(f).join(' ')}`,
  ];
  const u = r.topicUsage;
  if (u) {
    lines.push(
      `topic usage: H(mean θ) ${u.entropyMeanTheta.toFixed(3)} of log K ${u.logK.toFixed(3)}, mean H(θ) ${u.meanEntropyTheta.toFixed(3)}, ` +
        `${u.topicsUsedAsArgmax} arg-max topics, mean max θ ${u.meanMaxTheta.toFixed(3)}`,
    );
  }
  const e = r.explanation;
  if (e) {
    lines.push(
      `explanations: top-3 topic share ${e.top3Share.toFixed(3)}, effective topics ${e.effectiveTopics.toFixed(2)}, topic purity ${e.topicPurity.toFixed(3)}`,
    );
  }
  const fa = r.faithfulness;
  if (fa) {
    lines.push(
      `faithfulness (${fa.pairs} pairs): deletion AUC ${f(fa.deletionAuc)} vs ${f(fa.randomAuc)} random, contribution order wins on ${(100 * fa.beatsRandom).toFixed(1)} %`,
    );
  }
  lines.push(`encode ${r.encodeSeconds.toFixed(1)} s, rank ${r.rankSeconds.toFixed(1)} s`);
  return lines.join('\n');
}

export function evalCommand(): Command {
  return new Command('eval')
    .description('evaluate a trained model: train split = database, test split (or Q seeded queries) = queries')
    .requiredOption('--model <dir>', 'saved model (a run\'s model/ folder or the run folder)')
    .option('--dataset <spec>', 'dataset spec (default: the one the model was trained on)')
    .option('--queries <n>', 'evaluate this many seeded test queries (default: all)', parseNumber('queries', true))
    .option('--seed <n>', 'seed of the query selection (default 0)', parseNumber('seed', true))
    .option('--faithfulness <pairs>', `same-class pairs of the deletion faithfulness test, 0 to skip (default ${EXPLANATION_DEFAULTS.faithfulnessPairs})`, parseNumber('faithfulness', true))
    .option('--json', 'print JSON')
    .action(async (o: { model: string; dataset?: string; queries?: number; seed?: number; faithfulness?: number; json?: boolean }, cmd: Command) => {
      await startEngine(cmd);
      const model = await loadModel(o.model);
      const r = await evaluateModel(model, o.dataset ?? model.dataset.spec, o);
      model.dispose();
      console.log(o.json ? JSON.stringify(r, null, 2) : formatResult(r));
    });
}
