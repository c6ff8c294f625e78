/**
 * Sudoku generation and render speed on one thread: unique-solution puzzles per second, and dataset PNG
 * (448) + model input (72) per image awaited one at a time with sharp's own pool at one thread; also per
 * CPU-second (robust to a busy machine).
 *   UV_THREADPOOL_SIZE=1 npx tsx bench/sudoku-render-speed.ts [n=300] [blanks=20]
 */
import sharp from 'sharp';
import { Rng } from '../src/rng.ts';
import { sudokuTask } from '../src/tasks/sudoku/index.ts';

sharp.concurrency(1);
const count = Number(process.argv[2] ?? 300);
const blanks = Number(process.argv[3] ?? 20);

/** Wall and CPU seconds of `work` (CPU over all threads: a per-core figure even on a busy machine). */
async function timed(work: () => Promise<void> | void): Promise<{ wall: number; cpu: number }> {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  await work();
  const cpu = process.cpuUsage(cpuStart);
  return { wall: (performance.now() - start) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}
const rate = (t: { wall: number; cpu: number }, what: string) =>
  `wall ${t.wall.toFixed(2)} s = ${(count / t.wall).toFixed(0)} ${what}/s, CPU ${t.cpu.toFixed(2)} s = ${(count / t.cpu).toFixed(0)} ${what} per CPU-second`;

const rng = new Rng(1);
const puzzles: ReturnType<typeof sudokuTask.generate>[] = [];
const gen = await timed(() => {
  for (let i = 0; i < count; i++) puzzles.push(sudokuTask.generate(rng.split(i), `sudoku-${i}`, i, { blanks }));
});
console.log(`generate ${count} puzzles (blanks=${blanks}): ${rate(gen, 'puzzles')}`);
await sudokuTask.render(puzzles[0], {}); // warm-up: MNIST files and sharp
const render = await timed(async () => {
  for (const puzzle of puzzles) await sudokuTask.render(puzzle, {});
});
console.log(`render ${count} images (448 PNG + 72 input): ${rate(render, 'images')}`);
