/**
 * GC trace length and perception token fraction per verbosity (docs/architecture.md §3: the paper's GC responses spend
 * 2.2% of their tokens on perception). Run: npx tsx bench/gc-trace-tokens.ts [puzzles=500] [seed=7]
 */
import { Rng } from '../src/rng.ts';
import { GC_QUERY, gcTask } from '../src/tasks/gc/index.ts';
import { tokenCount } from '../src/tokenizer.ts';
import { traceTokenCells } from './trace-tokens.ts';

const count = Number(process.argv[2] ?? 500);
const seed = Number(process.argv[3] ?? 7);
const rng = new Rng(seed);
const puzzles = Array.from({ length: count }, (_, i) => gcTask.generate(rng.split(i), `gc-bench-${i}`, seed, {}));
const budget = 1024 - tokenCount(GC_QUERY); // the small model's maxText minus the query

console.log(`${count} puzzles (defaults), query ${tokenCount(GC_QUERY)} tokens, response budget ${budget}`);
console.log('verbosity | mean tokens | median | p95 | max | perception fraction (mean of ratios) | > budget');
for (const verbosity of [0, 1, 2, 3, 4]) console.log(`${verbosity} | ${traceTokenCells(gcTask, puzzles, verbosity, budget)}`);
