/**
 * GC trace length and perception token fraction per verbosity (DESIGN §3: the paper's GC responses spend
 * 2.2% of their tokens on perception). Run: npx tsx bench/gc-trace-tokens.ts [puzzles=500] [seed=7]
 */
import { Rng } from '../src/rng.ts';
import { GC_QUERY, gcTask } from '../src/tasks/gc/index.ts';
import { tokenCount } from '../src/tokenizer.ts';

const count = Number(process.argv[2] ?? 500);
const seed = Number(process.argv[3] ?? 7);
const rng = new Rng(seed);
const puzzles = Array.from({ length: count }, (_, i) => gcTask.generate(rng.split(i), `gc-bench-${i}`, seed, {}));
const budget = 1024 - tokenCount(GC_QUERY); // the small model's maxText minus the query

console.log(`${count} puzzles (defaults), query ${tokenCount(GC_QUERY)} tokens, response budget ${budget}`);
console.log('verbosity | mean tokens | median | p95 | max | perception fraction (mean of ratios) | > budget');
for (const verbosity of [0, 1, 2, 3]) {
  const lengths: number[] = [];
  let fraction = 0;
  for (const puzzle of puzzles) {
    const tokens = tokenCount(gcTask.response(puzzle, { verbosity }));
    lengths.push(tokens);
    fraction += tokenCount(puzzle.pStar) / tokens;
  }
  lengths.sort((a, b) => a - b);
  const mean = lengths.reduce((a, b) => a + b, 0) / count;
  const over = lengths.filter((l) => l > budget).length / count;
  const at = (q: number) => lengths[Math.min(count - 1, Math.floor(q * count))];
  console.log(
    `${verbosity} | ${mean.toFixed(0)} | ${at(0.5)} | ${at(0.95)} | ${lengths[count - 1]} | ${((100 * fraction) / count).toFixed(1)}% | ${(100 * over).toFixed(1)}%`,
  );
}
