/**
 * Shared by the GPU benchmarks: flags, the model shape that matches ../shared/bench/torch_reference.py, and
 * the ratio to the reference's JSON lines (`--torch <file>`, the reference's stdout saved in the same command).
 */
import { readFileSync } from 'node:fs';
import { modelConfig, patchCount, patchDim, type ModelConfig, type ModelSize } from '../src/model/config.ts';

export function flags(argv = process.argv.slice(2)): (name: string, fallback: string) => string {
  return (name, fallback) => {
    const i = argv.indexOf('--' + name);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
  };
}

export function benchConfig(size: string): ModelConfig {
  return modelConfig(size as ModelSize);
}

/** The torch_reference.py flags for the same shape. */
export function torchFlags(c: ModelConfig, batch: number, text: number, newTokens: number): string {
  return (
    `--d ${c.d} --layers ${c.layers} --heads ${c.heads} --vocab ${c.vocab} --patches ${patchCount(c)} ` +
    `--patch-dim ${patchDim(c)} --batch ${batch} --text ${text} --new-tokens ${newTokens} --mode fp32`
  );
}

/** The reference line for `what` from a file of torch_reference.py output, if given and present. */
export function torchLine(path: string, what: string): { ms: number; tokens_per_s: number; params?: number } | undefined {
  if (!path) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`--torch ${path}: cannot read the reference output (${(err as Error).message})`);
  }
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    const row = JSON.parse(line) as { what?: string; ms: number; tokens_per_s: number; params?: number };
    if (row.what === what) return row;
  }
  return undefined;
}

export const round = (x: number, digits = 3): number => Number(x.toFixed(digits));
