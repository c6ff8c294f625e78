/** Every CLI verb, in help order. A new verb is one file in this folder plus one line here. */
import type { Command } from 'commander';
import { registerEval } from './eval.ts';
import { registerPlot } from './plot.ts';
import { registerReplay } from './replay.ts';
import { registerServe } from './serve.ts';
import { registerSft } from './sft.ts';
import { registerSweep } from './sweep.ts';
import { registerDemo } from './demo.ts';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  registerEval,
  registerPlot,
  registerReplay,
  registerServe,
  registerSft,
  registerSweep,
  registerDemo,
];
