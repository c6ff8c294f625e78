/**
 * How the small-model RL defaults were chosen (docs/rl.md): GRPO from a fresh `tiny` model (32-px input) on
 * the CPU with a dense proxy reward — the share of digits in the response, the characters a GC caption and
 * answer are made of — because an untrained model's outcome reward is always 0. For each learning rate:
 * the proxy reward's first and last step means, the largest k3 KL to the reference and clip fraction.
 *
 *   npx tsx bench/rl-lr.ts [--lrs 1e-5,1e-4,1e-3,3e-3] [--steps 10]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runRl } from '../flows/rl.ts';
import { resolveBackend } from '../src/backend/index.ts';
import { saveCheckpoint } from '../src/model/checkpoint.ts';
import { modelConfig } from '../src/model/config.ts';
import { createVlm, disposeVlm } from '../src/model/vlm.ts';
import type { Metric } from '../src/records.ts';
import type { SurrogateReward } from '../src/rl/rewards/surrogate.ts';
import { resolveRlConfig } from '../src/rl/rl-config.ts';

const { values } = parseArgs({ options: { lrs: { type: 'string', default: '1e-5,1e-4,1e-3,3e-3' }, steps: { type: 'string', default: '10' } } });
const digits: SurrogateReward = {
  name: 'digits',
  score: async (inputs) => inputs.map((x) => (x.text.match(/[0-9]/g)?.length ?? 0) / Math.max(1, x.text.length)),
};
await resolveBackend('cpu');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-rl-lr-'));
const init = path.join(dir, 'init');
const model = createVlm(modelConfig('tiny', { inputSize: 32 }), 1);
await saveCheckpoint(init, { model });
disposeVlm(model);
const rows: string[] = ['| lr | proxy reward step 1 | last 3 steps | max KL | max clip frac | s/step |', '|---|---|---|---|---|---|'];
for (const lr of values.lrs.split(',').map(Number)) {
  const out = path.join(dir, `lr-${lr}`);
  const metrics: Metric[] = [];
  const started = Date.now();
  await runRl({
    config: resolveRlConfig({
      init,
      out,
      lr,
      steps: values.steps,
      prompts: 2,
      group: 8,
      maxTokens: 16,
      evalN: 0,
      bucket: 32,
      alpha: 1,
      scoreThreads: 0,
      seed: 1,
    }),
    surrogate: digits,
    log: () => {},
    watch: (w) => void w.metrics$.subscribe((m) => metrics.push(m)),
  });
  const series = (name: string) => metrics.filter((m) => m.name === name).map((m) => m.value);
  const reward = series('reward/digits/mean');
  const last = reward.slice(-3).reduce((a, b) => a + b, 0) / Math.min(3, reward.length);
  const clip = series('train/clipFracLow').map((v, i) => v + series('train/clipFracHigh')[i]);
  rows.push(
    `| ${lr} | ${reward[0].toFixed(3)} | ${last.toFixed(3)} | ${Math.max(...series('train/kl')).toExponential(2)} | ${Math.max(...clip).toFixed(3)} | ${((Date.now() - started) / 1000 / reward.length).toFixed(1)} |`,
  );
  process.stdout.write(`${rows.at(-1)}\n`);
}
process.stdout.write(`\n${rows.join('\n')}\n`);
fs.rmSync(dir, { recursive: true, force: true });
