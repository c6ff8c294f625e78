/**
 * Pre-rendered SFT data for a machine without sharp (the GPU machine cannot carry Dawn and sharp together):
 * writes DIR/<task>-train_sft.msgpack and DIR/<task>-test.msgpack, sample recordings with the model-input
 * pixels at the model's input size, drawn from the same seeded split generator `asymflow sft` uses on the
 * fly — so `--data DIR` trains and evaluates on exactly the samples an on-the-fly run would.
 *
 *   npx tsx bench/sft-shards.ts <task> <model> <trainN> <evalN> <out> [seed=0] [key=value task options…]
 */
import fs from 'node:fs';
import path from 'node:path';
import { generatedSamples } from '../src/eval/eval-samples.ts';
import { modelConfig, type ModelSize } from '../src/model/config.ts';
import { RecordingWriter } from '../src/recording/index.ts';
import { getTask } from '../src/tasks/registry.ts';
import { parseOptionPairs } from '../tui/commands/sft.ts';

const [taskName = 'gc', size = 'small', trainN = '2560', evalN = '64', out = 'runs/sft-data', seed = '0', ...pairs] = process.argv.slice(2);
const task = await getTask(taskName);
const options = { ...parseOptionPairs('sft-shards', 'task option', pairs), inputSize: modelConfig(size as ModelSize).inputSize };
fs.mkdirSync(out, { recursive: true });
for (const [split, n] of [['train_sft', Number(trainN)], ['test', Number(evalN)]] as const) {
  const file = path.join(out, `${task.name}-${split}.msgpack`);
  const writer = RecordingWriter.open(file, { kind: 'samples', config: { task: task.name, split, n, seed: Number(seed), options } });
  for await (const sample of generatedSamples(task, { split, n, seed: Number(seed), options })) writer.write({ ...sample, png: undefined });
  writer.close();
  console.log(`${file}: ${n} samples, ${(fs.statSync(file).size / 1e6).toFixed(1)} MB`);
}
