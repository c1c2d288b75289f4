/** The list of sub-commands; one file per command. */
import type { Command } from 'commander';
import { dataCommand } from './data.js';
import { demoCommand } from './demo.js';

export function registerCommands(program: Command): void {
  program.addCommand(demoCommand());
  program.addCommand(dataCommand());
}
