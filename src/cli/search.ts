/** `sadsl search`: the top-k objects of an index for a query object, image file or document file. */
import { existsSync, readFileSync } from 'node:fs';
import { Command } from 'commander';
import { isRef } from '../data/refs.js';
import { ArgumentError } from '../errors.js';
import { Searcher, type QueryInput } from '../search/searcher.js';
import { parseTopicWeights } from '../search/topics.js';
import { parseNumber, startEngine } from './common.js';

/** A ref (`test:3`) names an object; anything else is a file: an image, or a document for text indexes. */
function queryInput(query: string, domain: 'image' | 'text'): QueryInput {
  if (isRef(query)) return { id: query };
  if (!existsSync(query)) throw new ArgumentError(`--query: '${query}' is neither an id (split:index) nor an existing file`);
  return domain === 'image' ? { image: readFileSync(query) } : { text: readFileSync(query, 'utf8') };
}

export function searchCommand(): Command {
  return new Command('search')
    .description('search an index by example; --explain shows what each hit matched on')
    .requiredOption('--index <dir|s3://bucket/path>', 'index location (sadsl index; S3 settings from the AWS_* environment variables)')
    .requiredOption('--query <ref|file>', 'object id (split:index), an image file, or a text file')
    .option('--k <n>', 'hits', parseNumber('k', true), 10)
    .option('--topics <weights>', 'topic weights topic:weight,… (0 ignores a topic), e.g. 3:2,7:0')
    .option('--explain', 'list the strongest per-topic contributions of each hit')
    .option('--search-backend <name>', 'auto (LanceDB when the index has an ANN index), exact or lance', 'auto')
    .option('--model <dir>', 'model to encode queries (default: the one the index was built with)')
    .option('--json', 'print JSON {query, hits}')
    .action(async (o: { index: string; query: string; k: number; topics?: string; explain?: boolean; searchBackend: string; model?: string; json?: boolean }, cmd: Command) => {
      if (!['auto', 'exact', 'lance'].includes(o.searchBackend)) throw new ArgumentError(`--search-backend: expected auto, exact or lance, got '${o.searchBackend}'`);
      if (o.k < 1) throw new ArgumentError(`--k: must be at least 1, got ${o.k}`);
      const weights = o.topics ? parseTopicWeights(o.topics) : undefined;
      // Exact search multiplies on the engine, so it starts first.
      await startEngine(cmd);
      const searcher = await Searcher.open(o.index, { backend: o.searchBackend as 'auto' | 'exact' | 'lance', model: o.model });
      try {
        const input = queryInput(o.query, searcher.manifest.dataset.domain);
        const q = await searcher.query(input);
        const hits = await searcher.search(q.code, o.k, weights);
        const classes = searcher.manifest.dataset.classes;
        if (o.json) {
          console.log(JSON.stringify({ query: o.query, topicWeights: weights ?? {}, backend: searcher.backend.name, hits: hits.map((h) => ({ ...h, className: classes[h.label] })) }));
          return;
        }
        console.log(`top ${hits.length} of ${searcher.manifest.n} for ${o.query} (${searcher.backend.name}${weights ? `, topics ${o.topics}` : ''})`);
        for (const [rank, h] of hits.entries()) {
          console.log(`${String(rank + 1).padStart(3)}. ${h.id.padEnd(12)} ${h.score.toFixed(4)}  ${classes[h.label] ?? h.label}`);
          if (o.explain) {
            const top = h.contributions.map((c, k) => ({ k, c })).sort((a, b) => Math.abs(b.c) - Math.abs(a.c)).slice(0, 3);
            console.log(`       ${top.map((t) => `topic ${t.k} ${t.c >= 0 ? '+' : ''}${t.c.toFixed(4)}`).join(', ')}`);
          }
        }
      } finally {
        await searcher.close();
      }
    });
}
