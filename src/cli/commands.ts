/** The list of sub-commands; one file per command. */
import type { Command } from 'commander';
import { dataCommand } from './data.js';
import { demoCommand } from './demo.js';
import { evalCommand } from './eval.js';
import { experimentCommand } from './experiment.js';
import { explainCommand } from './explain.js';
import { indexCommand } from './build-index.js';
import { reportCommand } from './report.js';
import { searchCommand } from './search.js';
import { serveCommand } from './serve.js';
import { topicsCommand } from './topics.js';
import { trainCommand } from './train.js';

export function registerCommands(program: Command): void {
  program.addCommand(demoCommand());
  program.addCommand(dataCommand());
  program.addCommand(trainCommand());
  program.addCommand(evalCommand());
  program.addCommand(experimentCommand());
  program.addCommand(explainCommand());
  program.addCommand(topicsCommand());
  program.addCommand(reportCommand());
  program.addCommand(indexCommand());
  program.addCommand(searchCommand());
  program.addCommand(serveCommand());
}
