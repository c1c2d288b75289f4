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
      `Learned methods trained for ${budget}, seed ${r.seed}. Machine: ${m.cpus} × ${m.model}, ${m.memoryGB} GB, tfjs ${m.backend}.`,
    '',
    `| Method | ${COLUMNS.map(([h]) => h).join(' | ')} | Train (s) |`,
    `|---|${COLUMNS.map(() => '---:').join('|')}|---:|`,
  ];
  for (const id of ids) {
    const res = r.methods[id];
    const cells = COLUMNS.map(([, key], j) => {
      const s = fmt(res[key] as number);
      return s === best[j] ? `**${s}**` : s;
    });
    lines.push(`| ${id} | ${cells.join(' | ')} | ${res.trainSeconds.toFixed(1)} |`);
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
