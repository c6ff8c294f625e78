/**
 * Render throughput (issue 2): images/s for each task — puzzle generation + dataset PNG + model input (+ the
 * SFT trace with --response) — in one process on one core, and over the Piscina pool on every core; then
 * ../shared/bench/render_reference.py (networkx + matplotlib, as the paper drew GC) on one core with the same
 * count, and the per-core ratio. JSON lines on stdout; never asserts.
 *
 *   npx tsx bench/render.ts [--n 300] [--warmup 8] [--tasks gc,sudoku] [--reference ../shared/bench/render_reference.py]
 *
 * --warmup: samples made (and not counted) before the timed ones, in the same process: JIT compilation of
 * the drawing code is a one-time cost per process that 300 images do not amortise; the reference's first
 * image is counted, but its imports are not.
 *
 * One core = `taskset -c 0` around a child process (ours with sharp at one thread); the pool run uses all
 * cores. Other processes on a shared machine slow both sides alike within one run; compare ratios, and
 * `images_per_cpu_s` (all threads' CPU time) where the machine is busy.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import sharp from 'sharp';
import { defaultThreads, openSamplePool } from '../operators/pool/sample-pool.ts';
import { puzzleSource } from '../operators/puzzle-source.ts';
import { render } from '../operators/render.ts';
import type { TaskName } from '../src/tasks/task.ts';
import { flags, round } from './bench-util.ts';

const flag = flags();
const n = Number(flag('n', '300'));
const warmup = Number(flag('warmup', '8'));
const tasks = flag('tasks', 'gc,sudoku').split(',') as TaskName[];
const response = process.argv.includes('--response');
const referencePath = flag('reference', path.join(import.meta.dirname, '../../shared/bench/render_reference.py'));

interface Measured {
  readonly images: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
}

/** n samples of `task` through puzzleSource → render on a pool of `threads` (0: this thread). */
async function measure(task: TaskName, threads: number): Promise<Measured> {
  const pool = openSamplePool(threads);
  try {
    const run = (count: number, seed: number) =>
      lastValueFrom(puzzleSource({ task, split: 'test', n: count, seed, pool }).pipe(render({ task, pool, response }), toArray()));
    await run(warmup, 999); // warm-up: workers started, task modules and MNIST loaded, code compiled
    const cpu = process.cpuUsage();
    const start = performance.now();
    const samples = await run(n, 1);
    const seconds = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpu);
    return { images: samples.length, seconds, cpuSeconds: (used.user + used.system) / 1e6 };
  } finally {
    await pool.close();
  }
}

const line = (row: Record<string, unknown>) => console.log(JSON.stringify(row));

if (process.argv.includes('--child')) {
  // the single-process, one-core measurement (run under taskset by the parent)
  sharp.concurrency(1);
  const task = flag('task', 'gc') as TaskName;
  const m = await measure(task, 0);
  line({ task, mode: 'single', cores: 1, ...m });
} else {
  const cores = defaultThreads();
  const env = { ...process.env, UV_THREADPOOL_SIZE: '1' };
  const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  for (const task of tasks) {
    const args = [
      '--import',
      'tsx',
      import.meta.filename,
      '--child',
      '--task',
      task,
      '--n',
      String(n),
      '--warmup',
      String(warmup),
      ...(response ? ['--response'] : []),
    ];
    const child = spawnSync(hasTaskset ? 'taskset' : process.execPath, hasTaskset ? ['-c', '0', process.execPath, ...args] : args, { encoding: 'utf8', env });
    const single = child.stdout.split('\n').find((l) => l.startsWith('{'));
    if (child.status !== 0 || !single) {
      line({ task, mode: 'single', error: (child.stderr || child.stdout).trim().split('\n').slice(-3).join(' | ') });
      continue;
    }
    const s = JSON.parse(single) as Measured;
    line({
      what: 'render',
      task,
      mode: 'single',
      cores: 1,
      images: s.images,
      images_per_s: round(s.images / s.seconds, 1),
      images_per_cpu_s: round(s.images / s.cpuSeconds, 1),
    });
    const p = await measure(task, cores);
    line({
      what: 'render',
      task,
      mode: 'pool',
      cores,
      images: p.images,
      images_per_s: round(p.images / p.seconds, 1),
      images_per_cpu_s: round(p.images / p.cpuSeconds, 1),
      speedup: round(s.seconds / p.seconds, 2),
    });
    if (task === 'gc') {
      if (!fs.existsSync(referencePath)) {
        line({ what: 'reference', skipped: `no ${referencePath}` });
        continue;
      }
      // the reference as written, with its CPU time measured around it (imports done first, outside the count)
      const runner = [
        'import json, resource, runpy, sys',
        "import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot, networkx",
        'r0 = resource.getrusage(resource.RUSAGE_SELF)',
        `sys.argv = [${JSON.stringify(referencePath)}, '--n', '${n}']`,
        `runpy.run_path(${JSON.stringify(referencePath)}, run_name='__main__')`,
        'r1 = resource.getrusage(resource.RUSAGE_SELF)',
        'print(json.dumps(dict(cpu_s=r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)))',
      ].join('\n');
      const ref = spawnSync(hasTaskset ? 'taskset' : 'python3', [...(hasTaskset ? ['-c', '0', 'python3'] : []), '-c', runner], { encoding: 'utf8' });
      const refLines = ref.stdout.split('\n').filter((l) => l.startsWith('{'));
      if (ref.status !== 0 || refLines.length < 2) {
        line({ what: 'reference', skipped: (ref.stderr || 'no output').trim().split('\n').slice(-1)[0] });
        continue;
      }
      const r = JSON.parse(refLines[0]) as { images_per_s: number };
      const { cpu_s } = JSON.parse(refLines[1]) as { cpu_s: number };
      const refPerCpu = n / cpu_s;
      line({
        what: 'reference',
        task,
        mode: 'single',
        cores: 1,
        ref: 'networkx+matplotlib',
        images: n,
        images_per_s: r.images_per_s,
        images_per_cpu_s: round(refPerCpu, 1),
      });
      line({
        what: 'ratio',
        task,
        per_core_wall: round(s.images / s.seconds / r.images_per_s, 1), // both pinned to core 0
        per_cpu_second: round(s.images / s.cpuSeconds / refPerCpu, 1), // robust to other load on the core
        note: 'ours single-process / reference (networkx+matplotlib), both on one core (taskset -c 0)',
      });
    }
  }
  line({ what: 'machine', warmup, cpus: os.cpus().length, model: os.cpus()[0]?.model ?? '?', loadavg: os.loadavg().map((x) => round(x, 2)) });
}
