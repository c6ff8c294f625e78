/** Shared synthetic inputs for the model tests (the tasks' renderers are not needed to test the model). */
import * as tf from '@tensorflow/tfjs';
import { installKernelPatches } from '../../../src/backend/kernel-patches.ts';
import { Rng } from '../../../src/rng.ts';
import { encode } from '../../../src/tokenizer.ts';
import { modelConfig, type ModelConfig } from '../../../src/model/config.ts';
import { promptTokens } from '../../../src/prompt.ts';
import type { ScoreRow } from '../../../src/model/logprobs.ts';

/** The cpu backend with the project's kernel patches (the stock cpu gather gradient takes seconds). */
export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
  installKernelPatches('cpu');
}

/** `tiny` with a 32-px input (16 patches instead of 81): the same code paths, a CPU test in a second. */
export const tiny: ModelConfig = modelConfig('tiny', { inputSize: 32 });
/** Padding bucket for tests (the default 64 would quadruple the attention work of these short rows). */
export const BUCKET = 16;

export function pixels(c: ModelConfig, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: c.inputSize * c.inputSize }, () => rng.next());
}

export const RESPONSES = [
  '<caption>edges: 0-1 1-2 2-0</caption>0:1 1:2 2:3<answer>1 2 3</answer>',
  '<caption>row1: 12.4</caption>fill 3<answer>1234</answer>',
  '<caption>edges: 0-1</caption>two<answer>1 2</answer>',
  '<caption>grid 4.21</caption>3 goes left<answer>3421</answer>',
];

export function rows(c: ModelConfig, n: number, seed = 1): ScoreRow[] {
  return Array.from({ length: n }, (_, i) => ({
    pixels: pixels(c, seed * 100 + i),
    prompt: promptTokens(i % 2 ? 'Colour the graph.' : 'Solve this sudoku, then answer.'),
    response: encode(RESPONSES[i % RESPONSES.length]),
  }));
}
