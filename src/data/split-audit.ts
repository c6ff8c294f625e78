/**
 * The measured overlap between splits, for `gen` and every run header: how many puzzles of one side have a
 * content key (Task.key) that occurs on the other. By construction (src/data/held-out.ts) it is 0 between a
 * training split and the first `heldOut` puzzles of a held-out split; the audit measures it instead of assuming
 * it, so a shard from elsewhere (`--data`, `import`) or an evaluation past the held-out size shows its overlap.
 */
import type { Puzzle } from '../records.ts';
import type { Task, TaskOptions } from '../tasks/task.ts';
import { DEFAULT_HELD_OUT, drawAt, heldOutKeys, heldOutSize, heldOutSplits, optionsKey, TRAIN_SPLITS } from './held-out.ts';

/** Training puzzles per split that gen and eval compare a held-out split against (runs compare their own). */
export const AUDIT_TRAIN_N = 500;

export interface Overlap {
  readonly left: string; // e.g. 'test[0,128)'
  readonly right: string; // e.g. 'train_sft (6000)'
  readonly checked: number; // puzzles of the left side
  readonly overlap: number; // of them, how many have a key found on the right
}

/** The keys of `puzzles` under `options`. */
export function keysOf(task: Task, puzzles: Iterable<Puzzle>, options: TaskOptions): string[] {
  return Array.from(puzzles, (p) => task.key(p, options));
}

/** Puzzles of `left` whose key is in `right`. */
export function overlapOf(left: readonly string[], right: ReadonlySet<string>): number {
  let count = 0;
  for (const key of left) if (right.has(key)) count++;
  return count;
}

/** One line: `overlap test[0,128) × train_sft (6000): 0` for each comparison, plus skips when there were any. */
export function overlapLine(overlaps: readonly Overlap[], skipped?: number): string {
  const parts = overlaps.map((o) => `${o.left} × ${o.right}: ${o.overlap}${o.overlap > 0 ? ` of ${o.checked} (NOT disjoint)` : ''}`);
  const skips = skipped === undefined ? '' : `; held-out draws skipped: ${skipped}`;
  return `content overlap ${parts.join(', ')}${skips}`;
}

const drawnKeys = new Map<string, { keys: Set<string>; skipped: number }>();

/** Keys of the first `n` puzzles of a split as training (or another split) draws them; counts the skips. Cached. */
export function splitKeys(task: Task, split: string, seed: number, options: TaskOptions, n: number): { keys: Set<string>; skipped: number } {
  const cacheKey = `${task.name}/${split}/${seed}/${n}/${optionsKey(options)}`;
  const cached = drawnKeys.get(cacheKey);
  if (cached) return cached;
  const result = drawnSplitKeys(task, split, seed, options, n);
  drawnKeys.set(cacheKey, result);
  return result;
}

function drawnSplitKeys(task: Task, split: string, seed: number, options: TaskOptions, n: number): { keys: Set<string>; skipped: number } {
  const keys = new Set<string>();
  let skipped = 0;
  for (let i = 0; i < n; i++) {
    const draw = drawAt(task, { split, seed, options }, i);
    keys.add(task.key(draw.puzzle, options));
    skipped += draw.skipped;
  }
  return { keys, skipped };
}

/**
 * Overlap of a held-out split's puzzles (given as keys, e.g. an evaluation's) with the held-out splits it must
 * avoid and with the first AUDIT_TRAIN_N (or `trainN`) puzzles of each training split for the same seed and
 * options. `label` names the left side, e.g. 'test[0,128)'.
 */
export function heldOutAudit(
  task: Task,
  split: string,
  label: string,
  keys: readonly string[],
  seed: number,
  options: TaskOptions,
  trainN = AUDIT_TRAIN_N,
): Overlap[] {
  const out: Overlap[] = [];
  const size = heldOutSize(options);
  if (size > 0) {
    const { bySplit } = heldOutKeys(task, seed, options);
    for (const [other, otherKeys] of bySplit) {
      if (other === split) break; // precedence order: only the splits before this one are avoided
      out.push({ left: label, right: `${other}[0,${size})`, checked: keys.length, overlap: overlapOf(keys, otherKeys) });
    }
  }
  for (const train of TRAIN_SPLITS) {
    const { keys: trainKeys } = splitKeys(task, train, seed, options, trainN);
    out.push({ left: label, right: `${train}[0,${trainN})`, checked: keys.length, overlap: overlapOf(keys, trainKeys) });
  }
  return out;
}

/** Overlap of training puzzles (as keys) with every held-out split's first `heldOut` puzzles. */
export function trainingAudit(task: Task, label: string, keys: readonly string[], seed: number, options: TaskOptions): Overlap[] {
  const size = heldOutSize(options);
  if (size === 0) {
    // not kept disjoint: measure against each held-out split's first DEFAULT_HELD_OUT as drawn (nothing avoided)
    return heldOutSplits(task).map((split) => {
      const heldKeys = splitKeys(task, split, seed, options, DEFAULT_HELD_OUT).keys;
      return { left: label, right: `${split}[0,${DEFAULT_HELD_OUT})`, checked: keys.length, overlap: overlapOf(keys, heldKeys) };
    });
  }
  const { bySplit } = heldOutKeys(task, seed, options);
  return [...bySplit].map(([split, heldKeys]) => ({ left: label, right: `${split}[0,${size})`, checked: keys.length, overlap: overlapOf(keys, heldKeys) }));
}

export interface RunAudit {
  readonly overlap: readonly Overlap[];
  readonly skipped: number; // held-out draws the training split passed over
  readonly line: string; // overlapLine + which handwriting each side drew (Sudoku)
}

/** The glyph pool a split draws (tasks with handwriting), e.g. ' (training handwriting)'; '' otherwise. */
export function handwritingOf(task: Task, split: string): string {
  const pool = task.glyphPool?.(split);
  return pool === undefined ? '' : pool === 'train' ? ' (training handwriting)' : ` (held-out ${pool} handwriting)`;
}

/**
 * A run's audit of generated splits: the first `train.n` puzzles of a training split against the first `evaluation.n`
 * of a held-out one (and the training keys against every held-out split's first `heldOut`).
 */
export function runAudit(
  task: Task,
  seed: number,
  options: TaskOptions,
  train: { split: string; n: number },
  evaluation: { split: string; n: number },
): RunAudit {
  const trained = splitKeys(task, train.split, seed, options, train.n);
  const evaluated = [...splitKeys(task, evaluation.split, seed, options, evaluation.n).keys];
  const trainKeys = [...trained.keys];
  const label = `${train.split}[0,${train.n})${handwritingOf(task, train.split)}`;
  const overlap = [
    {
      left: label,
      right: `${evaluation.split}[0,${evaluation.n})${handwritingOf(task, evaluation.split)}`,
      checked: trainKeys.length,
      overlap: overlapOf(trainKeys, new Set(evaluated)),
    },
    ...trainingAudit(task, `${train.split}[0,${train.n})`, trainKeys, seed, options),
  ];
  return { overlap, skipped: trained.skipped, line: overlapLine(overlap, trained.skipped) };
}
