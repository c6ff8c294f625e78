/**
 * A report from a subset of the paper preset's parts (what a first device session leaves): `paper-test`, GC,
 * seeds 0 and 1, with only seed 0's parts of finding 1 and seed 1's pretrain finished. The report says it is
 * partial and lists what did not run, names the grid parts a table or check lacks (gc/lambda@0.2, not gc/lambda),
 * decides finding 1 on seed 0 alone (saying which seeds it pooled) with the minimal detectable effect when
 * inconclusive, and shows the device minutes per part from DIR/device-time.jsonl (a cut attempt included).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reproduceCommand } from '../../tui/commands/reproduce.ts';
import { DEVICE_TIME_FILE, type DeviceAttempt } from '../../src/reproduce/device-time.ts';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-reproduce-partial-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const ONLY = ['seed-0/gc/pretrain', 'seed-0/gc/sft', 'seed-0/gc/share@1', 'seed-1/gc/pretrain'];

describe('reproduce report from a partial run', () => {
  it('states what has not run, decides what the finished seeds allow, and gives device minutes per part', { timeout: 600_000 }, async () => {
    // what bench/reproduce-session.ts would have recorded: sft in two calls (cut once), seed 1's sft cut and never finished
    const attempt = (part: string, call: string, deviceSeconds: number, status: DeviceAttempt['status']): DeviceAttempt => ({
      part,
      call,
      started: '2026-12-05T00:00:00.000Z',
      seconds: 2 * deviceSeconds,
      deviceSeconds,
      status,
    });
    fs.writeFileSync(
      path.join(dir, DEVICE_TIME_FILE),
      [
        attempt('seed-0/gc/pretrain', 'c1', 120, 'done'),
        attempt('seed-0/gc/sft', 'c1', 60, 'cut'),
        attempt('seed-0/gc/sft', 'c2', 30, 'done'),
        attempt('seed-1/gc/sft', 'c2', 45, 'cut'),
      ]
        .map((a) => JSON.stringify(a))
        .join('\n') + '\n',
    );
    const result = await reproduceCommand({ preset: 'paper-test', tasks: 'gc', seeds: '0,1', backend: 'wasm', out: dir, only: ONLY.join(',') }, () => {});
    expect(result).toMatchObject({ ran: ONLY });
    const report = fs.readFileSync(path.join(dir, 'report.md'), 'utf8');
    const line = (needle: string) => report.split('\n').find((l) => l.includes(needle)) ?? '';

    expect(report).toContain('**Partial run: 4 of 28 parts finished.**');
    expect(line('**Partial run')).toContain('gc/lambda@0.2 (seeds 0, 1)');
    expect(line('**Partial run')).toContain('gc/sft (seed 1)');
    // device time per part from the ledger, over calls; a part started but not finished says so
    expect(line('| gc/sft | 0 | done |')).toContain('| 1.5 min (2 attempts, 2 calls) |');
    expect(line('| gc/sft | 1 |')).toContain('| started, not finished |');
    expect(line('| gc/lambda@0.2 | 1 |')).toContain('| not run |');
    expect(report).toMatch(/Device time of every attempt .*: 4\.3 min\./);
    // the tables name the grid parts they lack, never a part `--only` would refuse
    expect(report).toContain('_Not run yet: `gc/lambda@0.2`, `gc/lambda@0.8`');
    expect(report).not.toMatch(/`--only gc\/lambda`/);
    // finding 1 decided on seed 0 alone, said so; inconclusive at this size, with its minimal detectable effect
    expect(report).toContain('gc: pooled seed 0: the other seeds have not finished every part it needs');
    expect(report.match(/pooled seed 0/g)).toHaveLength(1); // said only where a check was tested
    const gain = line('gc: SFT: a_r gain > a_p gain');
    expect(gain).not.toContain('not run');
    if (gain.includes('inconclusive')) expect(gain).toMatch(/minimal detectable effect|no detectable effect/);
    expect(line('gc: a_p gain shrinks as the perception token share falls')).not.toContain('not run');
    // a finding with no part run names its exact parts
    expect(line('gc: best fixed λ beats standard SFT on a')).toContain('**not run** — parts gc/lambda@0.2, gc/lambda@0.8 have not run');
    expect(line('gc: outcome-only RL (α=0) raises a_r')).toContain('**not run** — parts gc/rl@0, gc/rl@1 have not run');
  });
});
