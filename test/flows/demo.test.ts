/**
 * `asymflow demo`, shrunk to seconds: both runs end with their final evaluation's records, the paired
 * comparison in comparison.json is recomputed here from those records, the reading it prints is the one it
 * wrote, and the sweep's outputs (table.md, table.json, sweep.json, plots/) are still written beside the
 * a_p/a_r curves.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CHOICE, DEMO_SETTINGS, runDemo } from '../../flows/demo.ts';
import type { EvalRecord } from '../../src/eval/eval-record.ts';
import { compareRuns, perceptionLag } from '../../src/eval/paired-runs.ts';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-demo-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const SHRUNK = { steps: 2, batch: 2, warmupSteps: 1, trainN: 4, evalN: 3, evalEvery: 1, evalMaxTokens: 6, checkpointEvery: 0 };
const records = (name: string) =>
  fs
    .readFileSync(path.join(dir, name, 'records.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as EvalRecord);

describe('demo', () => {
  it('compares the two runs on the same held-out puzzles and reads the comparison', { timeout: 180_000 }, async () => {
    const lines: string[] = [];
    const result = await runDemo({
      out: dir,
      backend: 'wasm',
      overrides: SHRUNK,
      modelOptions: { inputSize: 32, d: 32, layers: 1 },
      log: (l) => lines.push(l),
    });
    expect(lines[0]).toBe(`demo: ${DEMO_CHOICE}`);

    const [standard, ngdiff] = DEMO_SETTINGS.map((s) => records(s.name));
    expect(standard.filter((r) => r.mode === 'e2e').map((r) => r.sampleId)).toEqual(['gc-test-0', 'gc-test-1', 'gc-test-2']);
    expect(standard).toHaveLength(6); // 3 puzzles × (end-to-end, counterfactual)
    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'comparison.json'), 'utf8'));
    expect(saved.comparison.between.ap).toEqual(JSON.parse(JSON.stringify(compareRuns(standard, ngdiff, 'ap'))));
    expect(saved.comparison.lag.baseline).toEqual(JSON.parse(JSON.stringify(perceptionLag(standard))));
    expect(saved.comparison.between.ap.n).toBe(3);
    expect(saved.reading).toEqual(result.reading);
    for (const line of result.reading) expect(lines).toContain(line);
    // The weighting lines are read from the runs' own metrics (the standard run's measured token share).
    expect(result.reading.some((l) => /^Perception is \d+\.\d% of the response tokens here/.test(l))).toBe(true);
    expect(result.reading.some((l) => /^NGDiff gave perception a weight λ of \d+\.\d% on average/.test(l))).toBe(true);
    const md = fs.readFileSync(path.join(dir, 'reading.md'), 'utf8');
    expect(md).toContain(`- ${result.reading[0]}`);
    expect(md).toContain(DEMO_CHOICE);

    for (const file of ['table.md', 'table.json', 'sweep.json', 'plots/tradeoff.png', 'plots/accuracies.png', 'plots/ap-ar.png']) {
      expect(fs.existsSync(path.join(dir, file)), file).toBe(true);
    }
    expect(result.files).toContain(path.join(dir, 'plots', 'ap-ar.png'));
  });
});
