/** Every CLI verb, in help order. A new verb is one file in this folder plus one line here. */
import type { Command } from 'commander';
import { registerPlot } from './plot.ts';
import { registerReplay } from './replay.ts';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  registerPlot,
  registerReplay,
];
