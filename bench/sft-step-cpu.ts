/**
 * CPU cost of one sftStep (NGDiff: two backward passes) on the wasm backend, by task setting and batch,
 * measured with process.cpuUsage (robust to a busy machine), plus one untrained evaluation of 16 samples.
 *
 *   npx tsx bench/sft-step-cpu.ts [task=gc] [nodes=3-4 (gc) | blanks (sudoku)] [verbosity=1] [batch=8] [bucket=16] [size=tiny]
 */
import { AdamW } from '../src/model/adamw.ts';
import { resolveBackend } from '../src/backend/index.ts';
import { modelConfig } from '../src/model/config.ts';
import { prepareBatch } from '../src/model/logprobs.ts';
import { createVlm } from '../src/model/vlm.ts';
import { getTask } from '../src/tasks/registry.ts';
import { sftStep } from '../src/sft/step.ts';
import { trainRows } from '../src/sft/train-rows.ts';
import { TfjsPolicy } from '../src/policy/tfjs-policy.ts';
import { evaluatePolicy } from '../src/eval/evaluate.ts';
import { generatedSamples } from '../src/data/generated-samples.ts';
import type { Sample } from '../src/records.ts';
import type { TaskOptions } from '../src/tasks/task.ts';
const [task = 'gc', nodes = '3-4', verbosity = '1', B = '8', bucket = '16', size = 'tiny'] = process.argv.slice(2);
await resolveBackend('wasm', { env: {}, log: () => {} });
const mc = modelConfig(size as 'tiny');
const t = await getTask(task);
const [lo, hi] = nodes.split('-').map(Number);
const options: TaskOptions =
  task === 'gc'
    ? { inputSize: mc.inputSize, minNodes: lo, maxNodes: hi, verbosity: Number(verbosity) }
    : { inputSize: mc.inputSize, verbosity: Number(verbosity), blanks: lo };
const samples: Sample[] = [];
for await (const s of generatedSamples(t, { split: 'train_sft', n: 64, seed: 1, options })) samples.push(s);
const { rows, longestTarget } = trainRows(t, samples, mc, options, 'full');
const model = createVlm(mc, 0);
const opt = new AdamW(model.params, { lr: 3e-3 });
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
};
let total = 0;
for (let i = 0; i < 6; i++) {
  const batch = prepareBatch(mc, rows.slice(i * Number(B), (i + 1) * Number(B)), Number(bucket));
  const c0 = cpu();
  const s = await sftStep(model, opt, batch, { kind: 'ngdiff' });
  const c = cpu() - c0;
  if (i > 0) total += c;
  if (i === 1) console.log(`cols ${batch.promptColumns}+${batch.responseColumns} tokenFraction ${s.tokenFraction.toFixed(3)} longest ${longestTarget}`);
}
console.log(`${task} ${nodes} v${verbosity} B${B}: ${(total / 5).toFixed(0)} CPU-ms per step`);
const policy = new TfjsPolicy(model, { maxBatch: 16 });
const c0 = cpu();
await evaluatePolicy(policy, t, samples.slice(0, 16), { mode: 'both', temperature: 0, topP: 1, maxTokens: longestTarget + 8, seed: 0, batchSize: 16 });
console.log(`eval 16 both (untrained, maxTokens ${longestTarget + 8}): ${(cpu() - c0).toFixed(0)} CPU-ms`);
