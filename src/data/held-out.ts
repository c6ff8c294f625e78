/**
 * Content-disjoint splits. Seeds alone do not keep splits apart: with few puzzles (4-node graphs: 41) most of
 * `test` recurs in training. Each puzzle has a content key (Task.key); the first `heldOut` puzzles of every
 * held-out split (test, val, and the task's extra test views) are held out by key, in precedence order:
 *
 *   test                 puzzle i exactly as before (its own seed), nothing avoided
 *   val                  avoids the held-out test keys
 *   test_seen_glyphs     (Sudoku) avoids test's and val's
 *   train_sft, train_rl  avoid every held-out key
 *
 * A split that must avoid keys redraws from puzzle i's own stream until the draw is not held out, so puzzle i
 * is still a function of (seed, task, split, i, options) alone; the redraws are counted ("skipped"). A space
 * so small that MAX_REDRAWS draws in a row are all held out stops with an error saying so. The key sets are
 * computed once per (task, seed, options) in each thread (GC: ~60 ms for 500 + 500; Sudoku ~250 ms) and cached.
 */
import { checks } from '../config.ts';
import { option } from '../options.ts';
import type { Puzzle } from '../records.ts';
import { Rng } from '../rng.ts';
import type { Task, TaskOptions } from '../tasks/task.ts';

/** Puzzles of each held-out split whose keys training excludes, unless the option `heldOut` says otherwise. */
export const DEFAULT_HELD_OUT = 500;
/** Draws of one index before a split gives up on finding a puzzle that is not held out. */
export const MAX_REDRAWS = 256;

export const TRAIN_SPLITS = ['train_sft', 'train_rl'] as const;

/**
 * Held-out splits a training run may evaluate on. Scouting (sft, rl, sweeps, eval) defaults to `val`, so settings
 * are chosen without touching `test`; `reproduce` and the demo ask for `test` for the tables they report.
 */
export const EVAL_SPLITS = ['val', 'test'] as const;
export type EvalSplit = (typeof EVAL_SPLITS)[number];
export const SCOUTING_SPLIT: EvalSplit = 'val';
/** The `evalSplit` option of every training component's table (sft, rl): one declaration, one help text. */
export const evalSplitOption = option<EvalSplit>(SCOUTING_SPLIT, 'held-out split evaluated: val (for choosing settings) or test (for reported tables)', {
  value: 'split',
  check: checks.oneOf(EVAL_SPLITS),
});

export function isTrainSplit(split: string): boolean {
  return (TRAIN_SPLITS as readonly string[]).includes(split);
}

/** Held-out size from the task options (`heldOut`, a split-layer knob; 0 = splits not kept disjoint). */
export function heldOutSize(options: TaskOptions = {}): number {
  const value = options.heldOut ?? DEFAULT_HELD_OUT;
  if (!Number.isInteger(value) || (value as number) < 0)
    throw new RangeError(`task option heldOut must be a non-negative integer, got ${JSON.stringify(value)}`);
  return value as number;
}

/** The held-out splits of `task`, in precedence order (each avoids the ones before it). */
export function heldOutSplits(task: Task): readonly string[] {
  return ['test', 'val', ...(task.extraTestViews ?? [])];
}

/** Every split name `task` knows. */
export function splitsOf(task: Task): readonly string[] {
  return [...heldOutSplits(task), ...TRAIN_SPLITS];
}

/** The held-out splits whose keys `split` avoids (see the file comment); throws on a split the task lacks. */
export function avoidedSplits(task: Task, split: string): readonly string[] {
  const held = heldOutSplits(task);
  const at = held.indexOf(split);
  if (at >= 0) return held.slice(0, at);
  if (isTrainSplit(split)) return held;
  throw new Error(`${task.name} has no split '${split}': expected one of ${splitsOf(task).join(', ')}`);
}

export interface Draw {
  readonly puzzle: Puzzle;
  readonly skipped: number; // held-out draws passed over before this one
}

export interface DrawSpec {
  readonly split: string;
  readonly seed: number;
  readonly options: TaskOptions;
}

/** The puzzle's own PRNG: a function of (seed, task, split, index) only. */
export function puzzleRng(seed: number, task: string, split: string, index: number): Rng {
  if (!Number.isInteger(index) || index < 0) throw new RangeError(`puzzle index must be a non-negative integer, got ${index}`);
  return new Rng(seed).split(`${task}/${split}`).split(index);
}

export function puzzleId(task: string, split: string, index: number): string {
  return `${task}-${split}-${index}`;
}

/** Puzzle `index` of the split, the first draw of its own stream whose key the split need not avoid. */
export function drawAt(task: Task, spec: DrawSpec, index: number): Draw {
  const avoid = avoidedKeys(task, spec);
  const rng = puzzleRng(spec.seed, task.name, spec.split, index);
  const id = puzzleId(task.name, spec.split, index);
  for (let skipped = 0; skipped < MAX_REDRAWS; skipped++) {
    const puzzle = task.generate(rng, id, rng.seed, spec.options);
    if (avoid.size === 0 || !avoid.has(task.key(puzzle, spec.options))) return { puzzle, skipped };
  }
  const size = heldOutSize(spec.options);
  throw new Error(
    `${task.name}: puzzle space too small for content-disjoint splits: ${spec.split} puzzle ${index} drew ${MAX_REDRAWS} puzzles in a row ` +
      `that are held out (the first ${size} of ${avoidedSplits(task, spec.split).join(', ')} hold ${avoid.size} distinct puzzles; seed ${spec.seed}, ` +
      `options ${JSON.stringify(spec.options)}). Draw from a larger space (e.g. more nodes or blanks), hold out fewer (task option heldOut=N), ` +
      `or heldOut=0 to train without disjoint splits (the measured overlap is then reported)`,
  );
}

export interface HeldOutKeys {
  readonly size: number; // puzzles held out per split
  readonly bySplit: ReadonlyMap<string, ReadonlySet<string>>; // distinct keys of each held-out split's first `size`
}

const cache = new Map<string, HeldOutKeys>();

/** Options as a stable cache key (sorted keys). */
export function optionsKey(options: TaskOptions): string {
  return JSON.stringify(
    Object.keys(options)
      .sort()
      .map((k) => [k, options[k]]),
  );
}

/** The keys of every held-out split's first `heldOut` puzzles for (task, seed, options), computed once. */
export function heldOutKeys(task: Task, seed: number, options: TaskOptions): HeldOutKeys {
  const size = heldOutSize(options);
  const cacheKey = `${task.name}/${seed}/${optionsKey(options)}`;
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  const bySplit = new Map<string, Set<string>>();
  const result: HeldOutKeys = { size, bySplit };
  // Filled in precedence order: val's draws consult test's finished set through avoidedKeys → this entry.
  cache.set(cacheKey, result);
  try {
    for (const split of heldOutSplits(task)) {
      const keys = new Set<string>();
      for (let i = 0; i < size; i++) keys.add(task.key(drawAt(task, { split, seed, options }, i).puzzle, options));
      bySplit.set(split, keys);
    }
  } catch (error) {
    cache.delete(cacheKey);
    throw error;
  }
  return result;
}

const unions = new Map<string, ReadonlySet<string>>();

/** The union of the keys `spec.split` must avoid (empty for test, or with heldOut 0), cached per split. */
function avoidedKeys(task: Task, spec: DrawSpec): ReadonlySet<string> {
  const splits = avoidedSplits(task, spec.split);
  if (splits.length === 0 || heldOutSize(spec.options) === 0) return EMPTY;
  const { bySplit } = heldOutKeys(task, spec.seed, spec.options);
  const sets = splits.map((split) => bySplit.get(split));
  if (sets.some((set) => set === undefined)) throw new Error(`held-out keys of ${splits.join(', ')} requested before they were computed (precedence bug)`);
  if (sets.length === 1) return sets[0]!;
  const unionKey = `${task.name}/${spec.seed}/${optionsKey(spec.options)}/${splits.join(',')}`;
  let union = unions.get(unionKey);
  if (!union) {
    const all = new Set<string>();
    for (const set of sets) for (const key of set!) all.add(key);
    unions.set(unionKey, (union = all));
  }
  return union;
}

const EMPTY: ReadonlySet<string> = new Set();
