/** Every CLI verb, in help order. A new verb is one file in this folder plus one line here. */
import type { Command } from 'commander';
import { registerDiagnose } from './diagnose.ts';
import { registerEval } from './eval.ts';
import { registerGen } from './gen.ts';
import { registerImport } from './import.ts';
import { registerPlot } from './plot.ts';
import { registerPretrain } from './pretrain.ts';
import { registerReplay } from './replay.ts';
import { registerReproduce } from './reproduce.ts';
import { registerRl } from './rl.ts';
import { registerServe } from './serve.ts';
import { registerCheck, registerSolve } from './solve-check.ts';
import { registerTrainEmbed } from './train-embed.ts';
import { registerSft } from './sft.ts';
import { registerSweep } from './sweep.ts';
import { registerDemo } from './demo.ts';
import { registerWorker } from './worker.ts';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  registerEval,
  registerGen,
  registerImport,
  registerPlot,
  registerReplay,
  registerServe,
  registerSolve,
  registerCheck,
  registerRl,
  registerDiagnose,
  registerTrainEmbed,
  registerPretrain,
  registerSft,
  registerSweep,
  registerDemo,
  registerReproduce,
  registerWorker,
];
