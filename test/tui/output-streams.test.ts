/**
 * stdout holds a verb's result and nothing else; progress, logs and the `backend:` line go to stderr
 * (src/output-lines.ts). Each verb runs as a process, as a script would run it (`> file`, `| jq`), at tiny
 * sizes on the CPU.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
let dir: string;
beforeAll(() => void (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-streams-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Ran {
  readonly stdout: string;
  readonly stderr: string;
  readonly out: string[]; // stdout's lines
}

function asymflow(...args: string[]): Promise<Ran> {
  const env = { ...process.env, ASYMFLOW_BACKEND: undefined, NO_COLOR: '1' };
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ['bin/asymflow.js', ...args], { cwd: root, env, timeout: 240_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      error ? reject(new Error(`asymflow ${args.join(' ')}: ${error.message}\n${stderr}`)) : resolve({ stdout, stderr, out: stdout.trimEnd().split('\n') }),
    ),
  );
}

describe('results on stdout, progress and logs on stderr', { timeout: 600_000 }, () => {
  const run = () => path.join(dir, 'sft');

  it('sft: stdout is the final figures line alone; the backend, step lines and evaluation progress are on stderr', async () => {
    const r = await asymflow(
      ...['sft', '--task', 'gc', '--out', run(), '--steps', '1', '--batch', '1', '--train-n', '2', '--eval-n', '1', '--eval-max-tokens', '8'],
      ...['--backend', 'cpu', '--no-plots'],
    );
    expect(r.out).toEqual([expect.stringMatching(/^sft standard: a \d+\.\d% a_p \d+\.\d% a_r \d+\.\d% ã_r \d+\.\d% after 1 steps, \d+ tokens\/s$/)]);
    expect(r.stderr).toMatch(/^backend: cpu/m);
    expect(r.stderr).toMatch(/^sft: evaluating step 1: 2\/2 \(100%\)/m);
    expect(r.stderr).toMatch(/^done: 1\/1 steps in /m); // the plain monitor's last line
  });

  it("eval: stdout is the summary table alone; the split's header, backend and progress with an ETA are on stderr", async () => {
    const r = await asymflow(
      'eval',
      '--task',
      'gc',
      '--checkpoint',
      run(),
      '--out',
      path.join(dir, 'eval'),
      '--n',
      '2',
      '--max-tokens',
      '8',
      '--backend',
      'cpu',
    );
    expect(r.out[0]).toMatch(/^eval gc · .* · mode both · 2 samples · /);
    expect(r.out.slice(1, 5).map((l) => l.split(' ')[0])).toEqual(['a', 'a_p', 'ã_r', 'a_r']);
    expect(r.out.at(-1)).toMatch(/^parse failures \d+, request failures 0$/);
    expect(r.stderr).toMatch(/^eval: val/m);
    expect(r.stderr).toMatch(/^backend: cpu/m);
    expect(r.stderr).toMatch(/^eval gc val: 4\/4 \(100%\)/m);
  });

  it('replay --jsonl: every stdout line is one JSON record; nothing on stderr', async () => {
    const r = await asymflow('replay', run(), '--jsonl');
    const records = r.out.map((line) => JSON.parse(line) as { step: number; name: string });
    expect(records.length).toBeGreaterThan(3);
    expect(records.every((m) => typeof m.name === 'string' && Number.isInteger(m.step))).toBe(true);
    expect(r.stderr).toBe('');
  });

  it('gen: stdout is what was written and its measured overlap; the progress is on stderr', async () => {
    const r = await asymflow('gen', '--task', 'gc', '--split', 'val', '--n', '3', '--out', path.join(dir, 'data'), '--concurrency', '0');
    expect(r.out).toEqual([expect.stringMatching(/^gen gc val: 3 samples in .* → .*gc-val\.msgpack$/), expect.stringMatching(/^gen gc val: .*overlap/)]);
    expect(r.stderr).toMatch(/^gen gc val: 3\/3 \(100%\)/m);
  });

  it('--version and reproduce --list print their answer on stdout alone', async () => {
    const version = await asymflow('--version');
    expect(version.out).toEqual([JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version]);
    expect(version.stderr).toBe('');
    const list = await asymflow('reproduce', '--list', '--tasks', 'gc');
    expect(list.out).toContain('gc/sft');
    expect(list.stderr).toBe('');
  });
});
