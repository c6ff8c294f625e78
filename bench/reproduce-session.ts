/**
 * One device call of a `reproduce` session (bench/gpu-reproduce.sh runs it on the GPU machine): the parts in
 * the planner's priority order (src/reproduce/device-plan.ts; or PARTS given), `--lanes` at a time as separate
 * `reproduce --resume --only PART` processes on one GPU, each started once the parts it needs have finished
 * (their summary.json) and — for a part that cannot resume (diagnose) — only when its estimate fits the time
 * left at that concurrency. At `--deadline-s` the running parts are stopped (SIGTERM, then SIGKILL): they
 * continue from their runs' checkpoints in the next call. Every attempt's wall and shared device seconds go
 * to DIR/device-time.jsonl (src/reproduce/device-time.ts), which the report turns into device minutes per part.
 *
 *   node .device/reproduce-session.mjs --preset paper --tasks gc --seeds 0,1,2 --out runs/repro-live --deadline-s 540
 *   npx tsx bench/reproduce-session.ts --cli "npx tsx tui/cli.ts" --preset paper-test --tasks gc --out /tmp/r --deadline-s 60
 * Flags: --backend (webgpu), --lanes (2), --parts "a b c" (this order instead of the planner's), --call LABEL,
 * --min-start-s (60: no part starts with less of the call left).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseSeeds } from '../flows/reproduce-seeds.ts';
import { parseTasks, presetOf } from '../src/reproduce/preset-lookup.ts';
import { DEFAULT_BUDGET, planParts, priorityOrder, type PlanPart } from '../src/reproduce/device-plan.ts';
import { DEVICE_TIME_FILE, SharedClock, type DeviceAttempt } from '../src/reproduce/device-time.ts';

const argv = process.argv.slice(2);
const arg = (name: string, fallback?: string): string => {
  const i = argv.indexOf(`--${name}`);
  const v = i >= 0 ? argv[i + 1] : fallback;
  if (v === undefined) throw new Error(`reproduce-session: --${name} is required`);
  return v;
};
const preset = presetOf(arg('preset'));
const tasks = parseTasks(arg('tasks', 'gc'));
const seeds = argv.includes('--seeds') ? parseSeeds(arg('seeds')) : [preset.seed];
const out = path.resolve(arg('out'));
const deadlineS = Number(arg('deadline-s', '540'));
const lanes = Number(arg('lanes', String(DEFAULT_BUDGET.lanes)));
const cli = arg('cli', 'node .device/cli.mjs').split(' ');
const call = arg('call', new Date().toISOString());
const backend = arg('backend', 'webgpu');
const minStartS = Number(arg('min-start-s', '60')); // no part starts with less of the call left
if (!(deadlineS > 0) || !(Number.isInteger(lanes) && lanes >= 1)) throw new Error('reproduce-session: --deadline-s must be > 0 and --lanes a positive integer');

const parts = planParts(preset, tasks, seeds);
const byName = new Map<string, PlanPart>(parts.map((p) => [p.name, p]));
const isDone = (name: string) => fs.existsSync(path.join(out, ...name.split('/'), 'summary.json'));
const done = new Set(parts.filter((p) => isDone(p.name)).map((p) => p.name));
const order = argv.includes('--parts')
  ? arg('parts')
      .split(/[\s,]+/)
      .filter(Boolean)
  : priorityOrder(preset, parts, done);
const unknown = order.filter((n) => !byName.has(n));
if (unknown.length > 0) throw new Error(`reproduce-session: unknown part ${unknown.join(', ')}; the parts are ${parts.map((p) => p.name).join(', ')}`);

fs.mkdirSync(path.join(out, 'logs'), { recursive: true });
const start = Date.now() / 1000;
const clock = new SharedClock();
const running = new Map<string, { child: ChildProcess; started: number; startedIso: string }>();
const failed = new Set<string>();
const results: DeviceAttempt[] = [];
let stopping = false;
const seedFlags = seeds.length === 1 && seeds[0] === preset.seed ? [] : ['--seeds', seeds.join(',')];
/** `reproduce --resume --only PART` with this session's preset, tasks, seeds, backend and directory. */
const reproduceArgs = (part: string) => [
  ...cli.slice(1),
  ...['reproduce', '--preset', preset.name, '--tasks', tasks.join(','), ...seedFlags],
  ...['--backend', backend, '--out', out, '--resume', '--only', part],
];
const left = () => deadlineS - (Date.now() / 1000 - start);
const rate = (n: number) => (n <= 1 ? 1 : Math.min(n, DEFAULT_BUDGET.speedup) / n);

function record(name: string, status: DeviceAttempt['status']): void {
  const r = running.get(name)!;
  clock.change(running.keys());
  running.delete(name);
  const a: DeviceAttempt = { part: name, call, started: r.startedIso, seconds: Date.now() / 1000 - r.started, deviceSeconds: clock.take(name), status };
  results.push(a);
  fs.appendFileSync(path.join(out, DEVICE_TIME_FILE), `${JSON.stringify(a)}\n`);
  console.log(`session: ${name} ${status} after ${a.seconds.toFixed(0)} s (${a.deviceSeconds.toFixed(0)} device s)`);
}

/** Starts the next parts that may start now; resolves when nothing runs and nothing more can start. */
function fill(): void {
  if (stopping) return;
  for (const name of order) {
    if (running.size >= lanes || left() < minStartS) break;
    const p = byName.get(name)!;
    if (isDone(name) || running.has(name) || failed.has(name) || results.some((r) => r.part === name && r.status === 'done')) continue;
    if (!p.needs.every((n) => isDone(n))) continue;
    if (!p.resumable && p.seconds / rate(running.size + 1) > left()) continue;
    clock.change(running.keys());
    const log = fs.openSync(path.join(out, 'logs', `${name.replaceAll('/', '-')}.log`), 'a');
    const args = reproduceArgs(name);
    const child = spawn(cli[0], args, { stdio: ['ignore', log, log], detached: true });
    running.set(name, { child, started: Date.now() / 1000, startedIso: new Date().toISOString() });
    console.log(`session: ${name} started (${running.size} running, ${left().toFixed(0)} s left in the call)`);
    child.on('exit', (code) => {
      fs.closeSync(log);
      if (!running.has(name)) return;
      // a part whose summary is whole finished, even when the deadline's signal came as it exited
      const status = isDone(name) ? 'done' : stopping ? 'cut' : 'failed';
      if (status === 'failed') failed.add(name);
      record(name, status);
      fill();
      if (running.size === 0) finish();
    });
  }
}

function finish(): void {
  clearTimeout(timer);
  const table = results.map(
    (r) => `  ${r.part.padEnd(36)} ${r.status.padEnd(6)} ${r.seconds.toFixed(0).padStart(5)} s  ${r.deviceSeconds.toFixed(0).padStart(5)} device s`,
  );
  const next = order.filter((n) => !isDone(n));
  // the report again, now that the ledger holds this call's last attempts (each part wrote it before its own line)
  const anyDone = parts.find((p) => isDone(p.name));
  if (anyDone && results.length > 0) {
    const args = reproduceArgs(anyDone.name);
    const r = spawnSync(cli[0], args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    console.log(
      r.status === 0
        ? `session: report rewritten: ${path.join(out, 'report.md')}`
        : `session: the report could not be rewritten: ${r.stderr.split('\n').slice(-3).join(' ')}`,
    );
  }
  console.log(['session: this call', ...table, `session: ${next.length} part(s) not finished: ${next.join(' ') || '(none)'}`].join('\n'));
  process.exit(failed.size > 0 ? 1 : 0);
}

const timer = setTimeout(() => {
  stopping = true;
  console.log(`session: deadline (${deadlineS} s): stopping ${[...running.keys()].join(', ')}; they continue from their checkpoints in the next call`);
  for (const [, r] of running) process.kill(-r.child.pid!, 'SIGTERM');
  setTimeout(() => {
    for (const [name, r] of running) {
      try {
        process.kill(-r.child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      record(name, 'cut');
    }
    finish();
  }, 10_000).unref();
}, deadlineS * 1000);

fill();
if (running.size === 0) finish();
