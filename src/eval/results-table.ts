/**
 * `results.md` of `sadsl experiment`: the table a paper would print — methods as rows, mAP /
 * P@10 / P@100 / R-precision / MAP@R as columns (4 decimals), the best value of each column in bold (every
 * method that ties with it at 4 decimals), plus the training time and the experiment's settings.
 */
import type { ExperimentResults, MethodResult } from './results.js';

const COLUMNS: [string, keyof MethodResult][] = [
  ['mAP', 'mAP'],
  ['P@10', 'precisionAt10'],
  ['P@100', 'precisionAt100'],
  ['R-precision', 'rPrecision'],
  ['MAP@R', 'mapAtR'],
];

const fmt = (x: number): string => (Number.isFinite(x) ? x.toFixed(4) : 'n/a');
/**
 * Which seeds the numbers average: those with results. An interrupted or still running experiment lists the
 * seeds asked for that have none yet, so that a table never claims seeds it does not hold.
 */
function seedsLine(r: ExperimentResults): string {
  const done = r.seeds.filter((s) => Object.keys(r.perSeed[String(s)] ?? {}).length > 0);
  const missing = r.seeds.filter((s) => !done.includes(s));
  const over = done.length > 1 ? `mean ± standard deviation over seeds ${done.join(', ')}` : done.length === 1 ? `seed ${done[0]}` : 'no seed finished yet';
  return missing.length ? `${over} (seed${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not finished)` : over;
}

/** `mean ± std` when the row averages several seeds. */
const cell = (res: MethodResult, key: string, value: number, digits = 4): string => {
  const sd = res.std?.[key];
  const v = Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
  return sd !== undefined && Number.isFinite(sd) ? `${v} ± ${sd.toFixed(digits)}` : v;
};

/** The Markdown of an experiment's results, rows in the order of `results.methods`. */
export function resultsTable(r: ExperimentResults): string {
  const ids = Object.keys(r.methods);
  const best = COLUMNS.map(([, key]) => {
    const vals = ids.map((id) => r.methods[id][key] as number).filter(Number.isFinite);
    return vals.length ? fmt(Math.max(...vals)) : null;
  });
  const m = r.machine;
  const budget = `${r.epochs} epoch${r.epochs === 1 ? '' : 's'}${r.maxSteps !== undefined ? ` (at most ${r.maxSteps} steps)` : ''}`;
  const lines = [
    `# Retrieval results: ${r.dataset}`,
    '',
    `Database: the training split (${r.database} objects); queries: ${r.queries} test objects; relevant = same class. ` +
      `Learned methods trained for ${budget}, ${seedsLine(r)}. ` +
      `Machine: ${m.cpus} × ${m.model}, ${m.memoryGB} GB, tfjs ${m.backend}.`,
    '',
    `| Method | ${COLUMNS.map(([h]) => h).join(' | ')} | Train (s) |`,
    `|---|${COLUMNS.map(() => '---:').join('|')}|---:|`,
  ];
  for (const id of ids) {
    const res = r.methods[id];
    const cells = COLUMNS.map(([, key], j) => {
      const c = cell(res, key, res[key] as number);
      return fmt(res[key] as number) === best[j] ? `**${c}**` : c;
    });
    lines.push(`| ${id} | ${cells.join(' | ')} | ${cell(res, 'trainSeconds', res.trainSeconds, 1)} |`);
  }
  lines.push('', 'mAP: average precision over the whole database per query, averaged over queries. Best of each column in bold.', '');
  const usage = ids.filter((id) => r.methods[id].topicUsage);
  if (usage.length) {
    lines.push('Topic usage of the queries (H(θ̄) of log K; distinct arg-max topics; mean max θ):', '');
    for (const id of usage) {
      const u = r.methods[id].topicUsage!;
      lines.push(`- ${id}: H(θ̄) ${u.entropyMeanTheta.toFixed(3)} of ${u.logK.toFixed(3)}, ${u.topicsUsedAsArgmax} arg-max topics, mean max θ ${u.meanMaxTheta.toFixed(3)}`);
    }
    lines.push('');
  }
  const explained = ids.filter((id) => r.methods[id].explanation || r.methods[id].faithfulness);
  if (explained.length) {
    lines.push(
      'Explanations (docs/model.md §6.3): top-3 share of |topic contributions| in s(q, hit) over the top-10 hits, effective topics exp H(θ) ' +
        'per query, topic purity (majority class among each topic\'s 100 strongest database objects), deletion faithfulness (share of ' +
        'same-class pairs where deleting regions by contribution lowers s faster than a random order).',
      '',
      '| Method | top3Share | effectiveTopics | topicPurity | faithfulness |',
      '|---|---:|---:|---:|---:|',
    );
    for (const id of explained) {
      const res = r.methods[id];
      const e = res.explanation;
      const f = res.faithfulness;
      const na = 'n/a';
      lines.push(
        `| ${id} | ${e ? cell(res, 'explanation.top3Share', e.top3Share, 3) : na} | ${e ? cell(res, 'explanation.effectiveTopics', e.effectiveTopics, 2) : na} | ` +
          `${e ? cell(res, 'explanation.topicPurity', e.topicPurity, 3) : na} | ${f ? cell(res, 'faithfulness.beatsRandom', f.beatsRandom, 3) : na} |`,
      );
    }
    lines.push('');
  }
  for (const id of ids) {
    const f = r.methods[id].faithfulness;
    if (f) {
      lines.push(
        `Faithfulness (${id}, ${f.pairs} same-class pairs): deleting regions in order of their contribution gives a deletion AUC of ` +
          `${fmt(f.deletionAuc)} against ${fmt(f.randomAuc)} for a random order (lower is more faithful); contribution order wins on ` +
          `${(100 * f.beatsRandom).toFixed(1)} % of pairs.`,
        '',
      );
    }
  }
  return lines.join('\n');
}
