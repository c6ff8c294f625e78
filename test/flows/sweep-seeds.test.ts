/** `sweep … --seeds`: each seed's sweep in DIR/seed-S, and DIR/seeds.md with the mean and each seed's figure. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSeedSweeps, seedTable } from '../../flows/sweep-seeds.ts';

describe('sweep --seeds', () => {
  it('runs one sweep per seed in its own directory and tabulates mean and spread', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-seeds-'));
    try {
      const calls: [number, string][] = [];
      const { perSeed, table } = await runSeedSweeps([0, 1], out, 'Sweep', async (seed, dir) => {
        calls.push([seed, dir]);
        return [{ setting: 'λ=0.2', a: 0.25 + 0.5 * seed, ap: 0.5, ar: seed, arCond: 0 }];
      });
      expect(calls).toEqual([
        [0, path.join(out, 'seed-0')],
        [1, path.join(out, 'seed-1')],
      ]);
      expect(perSeed).toHaveLength(2);
      expect(table).toContain('| λ=0.2 | 50.0 (25.0 / 75.0) | 50.0 (50.0 / 50.0) | 50.0 (0.0 / 100.0) | 0.0 (0.0 / 0.0) |');
      expect(fs.readFileSync(path.join(out, 'seeds.md'), 'utf8')).toBe(table);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
  it('refuses a setting missing from a seed', () => {
    expect(() => seedTable('t', [0, 1], [[{ setting: 'x', a: 0, ap: 0, ar: 0, arCond: 0 }], []])).toThrow(
      "sweep --seeds: setting x is missing from a seed's sweep",
    );
  });
});
