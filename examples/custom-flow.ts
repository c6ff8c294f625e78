/**
 * A flow composed in code from asymflow's public API: 20 graph-colouring puzzles → render → a custom reward →
 * record → read back. The reward checks a "policy" that answers with its own puzzle's colouring for even
 * puzzles and with the neighbouring puzzle's for odd ones, using the task's verifier against the oracle
 * perception p*.
 *
 *   npx tsx examples/custom-flow.ts [OUT.msgpack]   # in a checkout (tsconfig paths map asymflow to api/)
 *   node custom-flow.js [OUT.msgpack]               # compiled against the installed package
 */
import os from 'node:os';
import path from 'node:path';
import { lastValueFrom, map, pairwise, startWith, toArray } from 'rxjs';
import { buildInfo, getTask, puzzleSource, readRecording, record, render, type Sample } from 'asymflow';

interface Rewarded {
  readonly id: string;
  readonly answer: string;
  readonly reward: number; // 1 when the answer colours the puzzle's graph properly with χ colours
  readonly reason: string;
}

const out = process.argv[2] ?? path.join(os.tmpdir(), `asymflow-custom-flow-${process.pid}.msgpack`);
const task = await getTask('gc');
const options = { inputSize: 72 };

const rewarded = await lastValueFrom(
  puzzleSource({ task: 'gc', split: 'test', n: 20, seed: 7, options, concurrency: 0 }).pipe(
    render({ task: 'gc', options, concurrency: 0 }),
    startWith(undefined),
    pairwise(), // [previous sample, sample]: the odd puzzles answer with the previous puzzle's colouring
    map(([previous, sample], index): Rewarded => {
      const s = sample as Sample;
      const answer = index % 2 === 1 && previous ? previous.puzzle.solution : s.puzzle.solution;
      const verdict = task.verify(answer, s.puzzle.pStar, s.puzzle);
      return { id: s.puzzle.id, answer, reward: verdict.correct ? 1 : 0, reason: verdict.reason };
    }),
    record<Rewarded>(out, { kind: 'rewarded', config: { task: 'gc', n: 20, seed: 7 } }),
    toArray(),
  ),
);

const recording = await readRecording<Rewarded>(out);
let recorded = 0;
let total = 0;
for await (const r of recording) {
  recorded++;
  total += r.reward;
}
console.log(
  JSON.stringify({
    puzzles: rewarded.length,
    recorded,
    meanReward: total / recorded,
    header: { version: recording.header.version, commit: recording.header.commit },
    build: buildInfo(),
    file: out,
  }),
);
