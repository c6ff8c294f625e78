/**
 * Sudoku trace length and perception token fraction per verbosity and blank count (docs/architecture.md §3: the paper's
 * Sudoku responses spend 2.5% of their tokens on perception), plus how many puzzles the solver finishes
 * with singles alone (no locked candidates, no guesses).
 *   npx tsx bench/sudoku-trace-tokens.ts [puzzles=200] [seed=7] [blanks=20,30,40,50]
 */
import { Rng } from '../src/rng.ts';
import { candidates } from '../src/tasks/sudoku/human.ts';
import { popcount } from '../src/tasks/sudoku/grid.ts';
import { parseGrid, SUDOKU_QUERY, solveWithTrace, sudokuTask } from '../src/tasks/sudoku/index.ts';
import { tokenCount } from '../src/tokenizer.ts';
import { traceTokenCells } from './trace-tokens.ts';

const count = Number(process.argv[2] ?? 200);
const seed = Number(process.argv[3] ?? 7);
const blankCounts = (process.argv[4] ?? '20,30,40,50').split(',').map(Number);
const budget = 1024 - tokenCount(SUDOKU_QUERY); // the small model's maxText minus the query

console.log(`${count} puzzles per blank count, query ${tokenCount(SUDOKU_QUERY)} tokens, response budget ${budget}`);
console.log('blanks | verbosity | mean tokens | median | p95 | max | perception fraction (mean of ratios) | > budget');
for (const blanks of blankCounts) {
  const rng = new Rng(seed);
  const puzzles = Array.from({ length: count }, (_, i) => sudokuTask.generate(rng.split(i), `sudoku-bench-${i}`, seed, { blanks }));
  const solved = puzzles.map((p) => solveWithTrace(parseGrid(p.pStar), 0).steps);
  const singles = solved.filter((steps) => steps.every((s) => s.kind === 'naked' || s.kind === 'hidden')).length;
  const kinds = new Map<string, number>();
  for (const steps of solved) for (const s of steps) kinds.set(s.kind, (kinds.get(s.kind) ?? 0) + 1);
  // blanks whose digit the givens alone fix (one candidate before any step): no chaining needed
  let direct = 0;
  for (const p of puzzles) {
    const cand = candidates(parseGrid(p.pStar));
    for (let i = 0; i < 81; i++) if (p.pStar[i + Math.floor(i / 9)] === '0' && popcount(cand[i]) === 1) direct++;
  }
  const perPuzzle = (kind: string) => ((kinds.get(kind) ?? 0) / count).toFixed(1);
  console.log(
    `blanks ${blanks}: ${((100 * singles) / count).toFixed(0)}% solved by singles alone; steps per puzzle: ` +
      `naked ${perPuzzle('naked')}, hidden ${perPuzzle('hidden')}, locked ${perPuzzle('locked')}, guess ${perPuzzle('guess')}, ` +
      `backtrack ${(Number(perPuzzle('empty')) + Number(perPuzzle('nowhere'))).toFixed(1)}; ` +
      `${((100 * direct) / (count * blanks)).toFixed(0)}% of blanks fixed by the givens alone`,
  );
  for (const verbosity of [0, 1, 2, 3]) console.log(`${blanks} | ${verbosity} | ${traceTokenCells(sudokuTask, puzzles, verbosity, budget)}`);
}
