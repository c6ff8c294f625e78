/**
 * SFT learning-rate scan (how the tiny/small defaults in src/sft/sft-config.ts were chosen): one short run
 * per lr on the same data and seed, reporting the mean training loss of the last 10 steps (total, L_p/|p|,
 * L_r/|r|), the held-out figures at the end, and CPU time per step (robust to a busy machine).
 *
 *   npx tsx bench/sft-lr.ts [model=tiny] [steps=40] [batch=8] [lrs=1e-3,3e-3,1e-2] [backend=wasm]
 * GC, circle layout, 3-4 nodes, verbosity 1 (the demo's setting); JSON lines on stdout.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSft } from '../flows/sft.ts';
import { MetricNames as N } from '../src/metric-names.ts';
import { resolveSftConfig } from '../src/sft/sft-config.ts';

const [model = 'tiny', steps = '40', batch = '8', lrs = '1e-3,3e-3,1e-2', backend = 'wasm'] = process.argv.slice(2);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-sft-lr-'));
for (const lr of lrs.split(',').map(Number)) {
  const losses: Record<string, number[]> = { [N.loss]: [], [N.lossP]: [], [N.lossR]: [] };
  const cpu0 = process.cpuUsage();
  const config = resolveSftConfig({
    task: 'gc',
    objective: 'standard',
    model,
    steps,
    batch,
    lr,
    warmupSteps: Math.ceil(Number(steps) / 10),
    trainN: 512,
    evalN: 16,
    evalMode: 'both',
    bucket: 16,
    backend,
    plots: false,
    checkpointEvery: 0,
    out: path.join(dir, `lr-${lr}`),
  });
  const { summary } = await runSft({
    config,
    taskOptions: { layout: 'circle', minNodes: 3, maxNodes: 4, verbosity: 1, heldOut: 0 }, // 45 graphs: too few for disjoint splits
    log: () => {},
    watch: (w) => {
      w.metrics$.subscribe((m) => losses[m.name]?.push(m.value));
    },
  });
  const cpu = process.cpuUsage(cpu0);
  const tail = (xs: number[]) => xs.slice(-10).reduce((a, b) => a + b, 0) / Math.min(10, xs.length);
  console.log(
    JSON.stringify({
      model,
      lr,
      steps: Number(steps),
      batch: Number(batch),
      loss: +tail(losses[N.loss]).toFixed(4),
      lossP: +tail(losses[N.lossP]).toFixed(4),
      lossR: +tail(losses[N.lossR]).toFixed(4),
      a: summary!.a.value,
      ap: summary!.ap.value,
      ar: summary!.ar.value,
      arCond: summary!.arCond.value,
      cpuSecondsPerStep: +((cpu.user + cpu.system) / 1e6 / Number(steps)).toFixed(2),
    }),
  );
}
fs.rmSync(dir, { recursive: true, force: true });
