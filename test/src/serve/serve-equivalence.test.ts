/**
 * Evaluating through `asymflow serve` over real HTTP equals evaluating in process, per sample: the same tiny
 * model behind TfjsPolicy directly and behind the server + OpenAIPolicy (model-input pixels sent as PNG).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../../../src/eval/evaluate.ts';
import { modelConfig } from '../../../src/model/config.ts';
import { createVlm, disposeVlm, type Vlm } from '../../../src/model/vlm.ts';
import { OpenAIPolicy } from '../../../src/policy/openai-policy.ts';
import { TfjsPolicy } from '../../../src/policy/tfjs-policy.ts';
import type { Sample } from '../../../src/records.ts';
import { Rng } from '../../../src/rng.ts';
import { startServer, type RunningServer } from '../../../src/serve/server.ts';
import { getTask } from '../../../src/tasks/registry.ts';
import type { Task } from '../../../src/tasks/task.ts';

// Smaller than tiny (this runs the model 20 times), and with large random weights: an untrained model at the
// usual init only repeats the last prompt token, whatever the image; this one's output depends on the pixels.
const config = modelConfig('tiny', { layers: 1, d: 32, initStd: 0.3 });
let model: Vlm;
let server: RunningServer;
let task: Task;
let samples: Sample[];

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = createVlm(config, 3);
  task = await getTask('gc');
  samples = await Promise.all(
    [0, 1].map(async (i) => {
      const puzzle = task.generate(new Rng(`equivalence/${i}`), `gc-test-${i}`, i, {});
      const rendered = await task.render(puzzle, { inputSize: config.inputSize });
      return { puzzle, ...rendered, query: 'Colour the graph.' }; // short: the image weighs more in a 1-layer model
    }),
  );
  server = await startServer({ model: new TfjsPolicy(model, { name: 'tiny', seeding: 'per-sample' }), batchWindowMs: 5 });
});
afterAll(async () => {
  await server?.close();
  disposeVlm(model);
});

describe('serve over HTTP = in process', () => {
  it.each([0, 0.8])('gives the same records per sample at temperature %s with the same seed', async (temperature) => {
    const options = { mode: 'both' as const, temperature, topP: 1, maxTokens: 8, seed: 21, batchSize: 2 };
    const local = await evaluatePolicy(new TfjsPolicy(model, { seeding: 'per-sample' }), task, samples, options);
    const remote = new OpenAIPolicy({ baseUrl: server.url, image: 'pixels', concurrency: 2, timeoutMs: 60_000, retries: 0 });
    const served = await evaluatePolicy(remote, task, samples, options);

    expect(served.records).toHaveLength(4);
    expect(served.records.every((r) => r.failed === undefined)).toBe(true);
    const strip = ({ tokens: _t, ...rest }: (typeof local.records)[number]) => rest; // the HTTP API carries no token ids
    expect(served.records.map(strip)).toEqual(local.records.map(strip));
    // The model reads the image: the same prompt with the image inverted is answered differently.
    const inverted = { ...samples[0], pixels: samples[0].pixels!.map((p) => 1 - p) };
    const [[original], [flipped]] = await new TfjsPolicy(model).generate([samples[0], inverted], { temperature: 0, topP: 1, maxTokens: 8, n: 1, seed: 0 });
    expect(flipped.text).not.toBe(original.text);
    expect(served.summary.a).toEqual(local.summary.a);
    expect(served.summary.ar).toEqual(local.summary.ar);
  });

  it('sends model-input pixels only at the input size the server lists', async () => {
    const remote = new OpenAIPolicy({ baseUrl: server.url, image: 'pixels', timeoutMs: 60_000, retries: 0 });
    expect(await remote.servedInputSize()).toBe(config.inputSize);
    // The server would resize a larger raster: close to drawing at its size, not equal, so the sample fails instead.
    const large = { ...samples[0], ...(await task.render(samples[0].puzzle, { inputSize: 2 * config.inputSize })) };
    const [[ok], [wrong]] = await remote.generate([samples[1], large], { temperature: 0, topP: 1, maxTokens: 2, n: 1, seed: 0 });
    expect(ok.failed).toBeUndefined();
    const side = 2 * config.inputSize;
    expect(wrong).toEqual({
      text: '',
      failed: `sample gc-test-0 has ${side}×${side} model-input pixels; the served model takes ${config.inputSize}×${config.inputSize} (render at inputSize ${config.inputSize})`,
    });
  });
});
