/**
 * Learning check (not a test: ~1 s per step on a 2-core CPU with wasm): the tiny model trained on the
 * perception loss alone (mean NLL of the tokens inside <caption>…</caption>) over a handful of GC samples
 * until greedy decoding after a forced `<caption>` reproduces every p* exactly.
 *
 *   npx tsx bench/overfit-perception.ts [backend=wasm] [samples=4] [maxSteps=300]
 */
import * as tf from '@tensorflow/tfjs';
import { AdamW } from '../src/model/adamw.ts';
import { resolveBackend } from '../src/backend/index.ts';
import { modelConfig } from '../src/model/config.ts';
import { prepareBatch, type TokenLogprobs } from '../src/model/logprobs.ts';
import { promptTokens } from '../src/prompt.ts';
import { sample } from '../src/model/sample.ts';
import { trainStep } from '../src/model/train.ts';
import { createVlm } from '../src/model/vlm.ts';
import { Rng } from '../src/rng.ts';
import { getTask } from '../src/tasks/registry.ts';
import { encode } from '../src/tokenizer.ts';

const [backend = 'wasm', samples = '4', maxSteps = '300'] = process.argv.slice(2);
await resolveBackend(backend, { env: {}, log: () => {} });
const config = modelConfig('tiny');
const gc = await getTask('gc');
const options = { inputSize: config.inputSize, verbosity: 0 };
const rng = new Rng(1);
const puzzles = Array.from({ length: Number(samples) }, (_, i) => gc.generate(rng, `gc-overfit-${i}`, i, options));
const pixels = await Promise.all(puzzles.map(async (p) => (await gc.render(p, options)).pixels));
const rows = puzzles.map((p, i) => ({ pixels: pixels[i], prompt: promptTokens(gc.query(p)), response: encode(`<caption>${p.pStar}</caption>`) }));
const batch = prepareBatch(config, rows, 16);
const model = createVlm(config, 1);
const optimizer = new AdamW(model.params, { lr: 3e-3, weightDecay: 0, warmupSteps: 10 });
const perceptionLoss = ({ logp, maskP }: TokenLogprobs): tf.Scalar => tf.div(tf.neg(tf.sum(tf.mul(logp, maskP))), tf.sum(maskP)) as tf.Scalar;

const start = performance.now();
for (let step = 1; step <= Number(maxSteps); step++) {
  const { loss } = await trainStep(model, optimizer, batch, perceptionLoss);
  if (step % 20 !== 0) continue;
  const requests = puzzles.map((p, i) => ({ pixels: pixels[i], prompt: promptTokens(gc.query(p), '<caption>') }));
  const gens = await sample(model, requests, { temperature: 0, topP: 1, maxTokens: 120, rng: new Rng(0), bucket: 16 });
  const exact = gens.filter((g, i) => g.text.startsWith(`<caption>${puzzles[i].pStar}`)).length;
  const seconds = ((performance.now() - start) / 1000).toFixed(1);
  console.log(`step ${step} perception loss ${loss.toFixed(4)} exact p* ${exact}/${puzzles.length} (${seconds} s, ${tf.getBackend()})`);
  if (exact === puzzles.length) break;
}
