/**
 * bench/reproduce-session.ts, the scheduler of one device call, against a stand-in for the asymflow CLI (a
 * script that "finishes" a part by writing its summary.json after a set time, and exits on SIGTERM): parts run
 * two at a time once their needs finished, the one still running at the deadline is stopped and recorded as
 * cut, the next call finishes it, and DIR/device-time.jsonl holds every attempt with its shared device seconds.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceTimeByPart, readDeviceTime } from '../../src/reproduce/device-time.ts';

const run = promisify(execFile);
let dir: string;
let fake: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-session-'));
  fake = path.join(dir, 'fake-cli.mjs');
  fs.writeFileSync(
    fake,
    `import fs from 'node:fs'; import path from 'node:path';
const a = process.argv.slice(2), only = a[a.indexOf('--only') + 1], out = a[a.indexOf('--out') + 1];
const ms = Number(JSON.parse(process.env.FAKE_MS)[only] ?? 200);
process.on('SIGTERM', () => process.exit(143));
setTimeout(() => { const d = path.join(out, ...only.split('/')); fs.mkdirSync(d, { recursive: true }); fs.writeFileSync(path.join(d, 'summary.json'), '{}'); }, ms);`,
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const session = (out: string, deadlineS: number, ms: Record<string, number>) =>
  run(
    'npx',
    [
      'tsx',
      'bench/reproduce-session.ts',
      ...['--cli', `node ${fake}`, '--preset', 'paper-test', '--tasks', 'gc', '--out', out, '--backend', 'cpu'],
      ...['--deadline-s', String(deadlineS), '--min-start-s', '0', '--call', `c${deadlineS}`, '--parts', 'gc/pretrain gc/sft gc/share@1 gc/rl@0'],
    ],
    { env: { ...process.env, FAKE_MS: JSON.stringify(ms) } },
  );

describe('reproduce-session', () => {
  it('packs two parts at once, stops the one left at the deadline, and finishes it in the next call', { timeout: 120_000 }, async () => {
    const out = path.join(dir, 'run');
    const first = await session(out, 5, { 'gc/pretrain': 300, 'gc/sft': 1500, 'gc/share@1': 60_000, 'gc/rl@0': 300 });
    expect(first.stdout).toContain('session: deadline (5 s): stopping gc/share@1');
    const once = readDeviceTime(out);
    expect(once.map((a) => [a.part, a.status])).toEqual([
      ['gc/pretrain', 'done'],
      ['gc/sft', 'done'],
      ['gc/rl@0', 'done'],
      ['gc/share@1', 'cut'],
    ]);
    // sft ran beside share@1 the whole time: half the device
    const sft = once.find((a) => a.part === 'gc/sft')!;
    expect(sft.deviceSeconds).toBeCloseTo(sft.seconds / 2, 1);
    // the next call skips what finished and completes the cut part
    const second = await session(out, 30, { 'gc/share@1': 300 });
    expect(second.stdout).toContain('session: 0 part(s) not finished');
    const all = deviceTimeByPart(readDeviceTime(out));
    expect(all.get('gc/share@1')).toMatchObject({ attempts: 2, calls: 2 });
    expect(all.get('gc/pretrain')).toMatchObject({ attempts: 1, calls: 1 });
    expect(fs.existsSync(path.join(out, 'gc', 'share@1', 'summary.json'))).toBe(true);
  });
});
