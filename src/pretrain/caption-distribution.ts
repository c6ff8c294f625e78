/**
 * The captioning renders' distribution: another one than the task's, as a VLM's vision encoder was trained on
 * other images than these puzzles (docs/pretrain.md). Chosen from the run's task options so that it differs
 * whatever they are, and visibly:
 *
 *   gc      node counts outside the run's range (below it when it starts at 5 or more, else above it) and the
 *           other layout (circle ↔ spring): other graphs, drawn elsewhere on the canvas
 *   sudoku  25 blanks more (or, past the task's maximum, 25 fewer): grids of another density of givens, in the
 *           training handwriting (the held-out splits' glyphs are never drawn)
 *
 * `--caption-option KEY=VALUE` overrides any of it. Content-disjointness from val/test does not rest on the
 * choice: every caption puzzle whose key (under the run's options) is held out is redrawn, and the overlap is
 * measured (src/pretrain/pretrain-data.ts).
 */
import { LAYOUTS, gcOptions } from '../tasks/gc/index.ts';
import { MAX_BLANKS } from '../tasks/sudoku/generate.ts';
import { sudokuOptions } from '../tasks/sudoku/index.ts';
import type { Task, TaskOptions } from '../tasks/task.ts';

/** How far the Sudoku caption renders' blank count is from the run's. */
const BLANK_SHIFT = 25;
/** Most node counts the GC caption range spans. */
const NODE_SPAN = 4;

/** The default caption distribution for `task` given the run's task options, as task options. */
export function captionDistribution(task: Task, options: TaskOptions): TaskOptions {
  if (task.name === 'gc') {
    const o = gcOptions(options);
    const layout = LAYOUTS.find((l) => l !== o.layout)!;
    if (o.minNodes >= 5) return { ...options, layout, minNodes: Math.max(3, o.minNodes - NODE_SPAN), maxNodes: o.minNodes - 1 };
    if (o.maxNodes < 10) return { ...options, layout, minNodes: o.maxNodes + 1, maxNodes: Math.min(10, o.maxNodes + NODE_SPAN) };
    return { ...options, layout };
  }
  if (task.name === 'sudoku') {
    const { blanks } = sudokuOptions(options);
    return { ...options, blanks: blanks + BLANK_SHIFT <= MAX_BLANKS ? blanks + BLANK_SHIFT : Math.max(1, blanks - BLANK_SHIFT) };
  }
  throw new Error(`pretrain: no caption distribution for task ${task.name}; give it with --caption-option`);
}

/** What the caption renders differ in from the run's puzzles, for the log: `layout circle → spring, maxNodes 9 → 6`. */
export function describeShift(run: TaskOptions, caption: TaskOptions, defaults: TaskOptions): string {
  const keys = [...new Set([...Object.keys(run), ...Object.keys(caption)])].filter((k) => k !== 'inputSize');
  const value = (o: TaskOptions, k: string) => o[k] ?? defaults[k];
  const shifts = keys.filter((k) => value(run, k) !== value(caption, k)).map((k) => `${k} ${value(run, k)} → ${value(caption, k)}`);
  return shifts.length > 0 ? shifts.join(', ') : 'nothing (the same distribution: only the puzzles differ)';
}
