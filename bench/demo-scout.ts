/**
 * One candidate of the demo's settings, evaluated on `val` (never `test`): the demo's two runs (standard SFT,
 * NGDiff) with the given GC task options and SFT settings, then the paired reading. bench/demo-scout.sh runs a
 * grid of these at once (one process a core) and tabulates them; flows/demo.ts records which one was chosen.
 * Run: npx tsx bench/demo-scout.ts OUT key=value...   keys: nodes verbosity heldOut (task), inputSize (model), any
 * SftConfig key. scout.json also splits the wall between the two runs (the demo runs them one after the other).
 */
import fs from 'node:fs';
import path from 'node:path';
import { DEMO_SETTINGS, runDemo } from '../flows/demo.ts';

const [out, ...pairs] = process.argv.slice(2);
if (!out) throw new Error('usage: demo-scout.ts OUT key=value...');
const given = Object.fromEntries(
  pairs.map((p) => {
    const [k, v] = p.split('=');
    if (v === undefined) throw new Error(`demo-scout: '${p}' is not key=value`);
    return [k, Number.isNaN(Number(v)) ? v : Number(v)];
  }),
);
const { nodes = 5, verbosity = 0, heldOut = 100, inputSize, ...overrides } = given as Record<string, number>;
const taskOptions = { layout: 'circle', minNodes: nodes, maxNodes: nodes, verbosity, heldOut };
const started = Date.now();
let secondRunAtS = 0;
// flows/sweep-sft.ts announces each run by its label: the second run's line marks where the first one ended.
const secondRunLine = `sweep: ${DEMO_SETTINGS[1].label}: training`;
const result = await runDemo({
  out,
  backend: process.env.ASYMFLOW_BACKEND ?? 'cpu',
  taskOptions,
  overrides: { evalSplit: 'val', evalEvery: 0, plots: false, ...overrides },
  modelOptions: inputSize === undefined ? undefined : { inputSize },
  // Progress on stderr, stamped with seconds since the start: the scout's .log shows where a slow candidate spends its time.
  log: (line: string) => {
    if (!secondRunAtS && line.startsWith(secondRunLine)) secondRunAtS = (Date.now() - started) / 1000;
    process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${line}\n`);
  },
});
const rows = result.table.rows.map((r) => ({ setting: r.setting, a: r.a.value, ap: r.ap.value, ar: r.ar.value, n: r.a.count }));
const wallS = (Date.now() - started) / 1000;
const line = { given, taskOptions, wallS, runS: [secondRunAtS, wallS - secondRunAtS], rows, reading: result.reading };
fs.writeFileSync(path.join(out, 'scout.json'), JSON.stringify(line, null, 2));
console.log(JSON.stringify(line));
