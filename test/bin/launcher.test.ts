/**
 * `bin/asymflow.js` runs the CLI in its own process: SIGTERM ends the whole command (no trainer left behind in
 * its process group), and SIGINT to a real `sft` run on cpu stops it after the current step with a checkpoint
 * (exit 130) that resumes to the same weights as an uninterrupted run; SIGINT during an evaluation stops it at
 * its next batch (not at its end) with a checkpoint; a second SIGINT exits at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSft } from '../../flows/sft.ts';
import { resolveSftConfig } from '../../src/sft/sft-config.ts';
import { sftCommand } from '../../tui/commands/sft.ts';
import { MICRO, MICRO_MODEL_OPTION, MICRO_SFT_FLAGS, MICRO_TASK_OPTION } from '../support/micro-sft.ts';

const launcher = fileURLToPath(new URL('../../bin/asymflow.js', import.meta.url));
let dir: string;
const started: ChildProcess[] = [];
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-launcher-'));
});
afterAll(() => {
  for (const child of started) groupKill(child.pid!); // a failed test must not leave a trainer running
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The micro run (test/support/micro-sft.ts), long enough to be signalled mid-run. */
const FLAGS = {
  ...MICRO_SFT_FLAGS,
  objective: 'standard',
  steps: 8,
  checkpointEvery: 100,
};
const argv = (out: string) => [
  'sft',
  ...Object.entries(FLAGS).flatMap(([k, v]) => (k === 'plots' ? ['--no-plots'] : [`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, String(v)])),
  '--model-option',
  ...MICRO_MODEL_OPTION,
  '--task-option',
  ...MICRO_TASK_OPTION,
  '--out',
  out,
];

interface Launched {
  readonly child: ChildProcess;
  /** Resolves once the output (stdout and stderr) has matched `pattern`. */
  output(pattern: RegExp): Promise<string>;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; text: string }>;
}

/** Starts the launcher in a process group of its own (detached), so the test can look for leftovers by group. */
function launch(args: string[]): Launched {
  const child = spawn(process.execPath, [launcher, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let text = '';
  const waiters: { pattern: RegExp; resolve: (t: string) => void }[] = [];
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    for (const w of waiters.filter((x) => x.pattern.test(text))) (w.resolve(text), waiters.splice(waiters.indexOf(w), 1));
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; text: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, text })),
  );
  return {
    child,
    exit,
    output: (pattern) =>
      new Promise((resolve, reject) => {
        if (pattern.test(text)) return resolve(text);
        waiters.push({ pattern, resolve });
        void exit.then((e) => reject(new Error(`exited (${e.code ?? e.signal}) before printing ${pattern}:\n${e.text}`)));
      }),
  };
}

/** True while any process of the group `pgid` is alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/**
 * True once the group `pgid` is empty, within `ms`: tsx's esbuild service (a child in the same group) leaves
 * a moment after the CLI dies, on its stdin's end; an orphaned trainer would stay.
 */
async function groupEmpties(pgid: number, ms = 15_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    if (!groupAlive(pgid)) return true;
  }
  return !groupAlive(pgid);
}

function groupKill(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {}
}

const quiet = () => {};
const checkpointStep = (out: string) =>
  (JSON.parse(fs.readFileSync(path.join(out, 'checkpoints', 'checkpoint.json'), 'utf8')) as { optimizer: { step: number } }).optimizer.step;

describe('bin/asymflow.js', () => {
  it('SIGTERM ends the command and leaves no process of its group behind', async () => {
    const run = launch(argv(path.join(dir, 'term')));
    await run.output(/step 1\/8/);
    run.child.kill('SIGTERM');
    const exit = await run.exit;
    expect(exit.signal).toBe('SIGTERM');
    expect(await groupEmpties(run.child.pid!)).toBe(true);
  }, 180_000);

  it('SIGINT stops sft after the current step with a checkpoint (exit 130) that resumes exactly', async () => {
    const out = path.join(dir, 'int');
    const run = launch(argv(out));
    await run.output(/step 1\/8/);
    run.child.kill('SIGINT');
    const exit = await run.exit;
    expect(exit.text).toContain('interrupt: stopping after the current step');
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 130, signal: null });
    expect(await groupEmpties(run.child.pid!)).toBe(true);
    const step = checkpointStep(out);
    expect(step).toBeGreaterThanOrEqual(1);
    expect(step).toBeLessThan(8);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'))).toMatchObject({ stopped: 'quit', steps: step });

    const resumed = await sftCommand({ out, resume: true }, { log: quiet });
    const straight = await runSft({ config: resolveSftConfig({ ...FLAGS, out: path.join(dir, 'straight') }), ...MICRO, log: quiet });
    expect(resumed.step).toBe(8);
    expect(resumed.summary!.weightsSha256).toBe(straight.summary!.weightsSha256);
  }, 240_000);

  it('SIGINT during an evaluation stops it at its next batch, checkpoints and exits 130', async () => {
    const out = path.join(dir, 'int-eval');
    const run = launch([...argv(out), '--eval-every', '2', '--eval-n', '60', '--eval-batch', '1']);
    await run.output(/sft: evaluating step 2: \d+\/60/); // the first tenth of step 2's evaluation is scored
    run.child.kill('SIGINT');
    const exit = await run.exit;
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 130, signal: null });
    expect(exit.text).toMatch(/sft: evaluation at step 2 abandoned after \d+ records \(stop requested\)/);
    expect(exit.text).not.toContain('sft: evaluating step 2: 60/60'); // not waited for
    expect(checkpointStep(out)).toBe(2);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'))).toMatchObject({ stopped: 'quit', steps: 2 });
    expect(await groupEmpties(run.child.pid!)).toBe(true);
  }, 180_000);

  it('a second SIGINT exits at once with 130', async () => {
    const run = launch(argv(path.join(dir, 'twice')));
    await run.output(/step 1\/8/);
    run.child.kill('SIGINT');
    await run.output(/interrupt: stopping/);
    run.child.kill('SIGINT');
    const exit = await run.exit;
    expect(exit.text).toContain('interrupt: exiting now');
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 130, signal: null });
    expect(await groupEmpties(run.child.pid!)).toBe(true);
  }, 180_000);
});
