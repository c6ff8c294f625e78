/**
 * GC render speed on one thread: dataset PNG (448) + model input (144) per image, awaited one at a time;
 * also images per CPU-second (robust to a busy machine). Run: UV_THREADPOOL_SIZE=1 npx tsx bench/gc-render-speed.ts [n=300] [layout=circle]
 */
import sharp from 'sharp';
import { Rng } from '../src/rng.ts';
import { gcTask } from '../src/tasks/gc/index.ts';

sharp.concurrency(1);
const count = Number(process.argv[2] ?? 300);
const layout = process.argv[3] ?? 'circle';
const rng = new Rng(1);
const puzzles = Array.from({ length: count }, (_, i) => gcTask.generate(rng.split(i), `gc-${i}`, i, {}));
await gcTask.render(puzzles[0], { layout }); // warm-up
const start = performance.now();
const cpuStart = process.cpuUsage();
for (const puzzle of puzzles) await gcTask.render(puzzle, { layout });
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpuStart);
const cpuSeconds = (cpu.user + cpu.system) / 1e6; // all threads: a per-core figure even on a busy machine
console.log(
  `${layout}: ${count} images (448 PNG + 144 input): wall ${seconds.toFixed(2)} s = ${(count / seconds).toFixed(0)} images/s, ` +
    `CPU ${cpuSeconds.toFixed(2)} s = ${(count / cpuSeconds).toFixed(0)} images per CPU-second`,
);
