import { getTask } from '../src/tasks/registry.ts';
import { generatedSamples } from '../src/eval/eval-samples.ts';
import { encode } from '../src/tokenizer.ts';
for (const [name, opts] of [['gc', {}], ['gc', { verbosity: 1 }], ['gc', { verbosity: 0 }], ['gc', {minNodes:3,maxNodes:4,verbosity:0}], ['sudoku', {}], ['sudoku', { verbosity: 0 }], ['sudoku', { verbosity: 0, blanks: 3 }]] as const) {
  const task = await getTask(name);
  const lens: number[] = []; const q: number[] = [];
  for await (const s of generatedSamples(task, { split: 'train_sft', n: 30, seed: 0, options: opts as any })) { lens.push(encode(task.response(s.puzzle, opts as any)).length); q.push(encode(s.query).length); }
  console.log(name, JSON.stringify(opts), 'resp mean', (lens.reduce((a, b) => a + b) / lens.length).toFixed(0), 'max', Math.max(...lens), 'query', Math.max(...q));
}
