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

/** The JSON lines of a reference's saved output (`--torch FILE`; other lines, e.g. warnings, skipped). */
function referenceRows<T>(path: string): T[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`--torch ${path}: cannot read the reference output (${(err as Error).message})`);
  }
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as T);
}

/** The reference line for `what` from a file of torch_reference.py output, if given and present. */
export function torchLine(path: string, what: string): { ms: number; tokens_per_s: number; params?: number } | undefined {
  if (!path) return undefined;
  return referenceRows<{ what?: string; ms: number; tokens_per_s: number; params?: number }>(path).find((row) => row.what === what);
}

/** A kernel reference's lines (tc_matmul_reference.py, tc_attention_reference.py) by their `case`; none without a path. */
export function torchRowsByCase(path: string): Map<string, Record<string, number>> {
  if (!path) return new Map();
  return new Map(referenceRows<{ case: string } & Record<string, number>>(path).map((row) => [row.case, row]));
}

/** ‖a − b‖ / ‖b‖. */
export function normwise(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0,
    s = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i]! - b[i]!) ** 2;
    s += b[i]! ** 2;
  }
  return Math.sqrt(d / s);
}

export const round = (x: number, digits = 3): number => Number(x.toFixed(digits));
