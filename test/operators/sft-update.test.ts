import * as tf from '@tensorflow/tfjs';
import { firstValueFrom, from, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchSamples } from '../../operators/batch-samples.ts';
import { sftUpdate } from '../../operators/sft-update.ts';
import { AdamW } from '../../src/model/adamw.ts';
import { modelConfig } from '../../src/model/config.ts';
import { createVlm, disposeVlm, type Vlm } from '../../src/model/vlm.ts';
import { promptTokens } from '../../src/prompt.ts';
import { Rng } from '../../src/rng.ts';
import { START } from '../../src/sft/data-cursor.ts';
import type { SftBatch } from '../../src/sft/step-record.ts';
import type { TrainRow } from '../../src/sft/train-rows.ts';
import { encode } from '../../src/tokenizer.ts';

const model = modelConfig('tiny', { inputSize: 32, d: 32, layers: 1, maxText: 128 });
const rows: TrainRow[] = [0, 1, 2, 3].map((i) => ({
  id: `row-${i}`,
  pixels: new Float32Array(model.inputSize ** 2).fill(i / 4),
  prompt: promptTokens('Colour it.'),
  response: encode(`<caption>(0,${i + 1})</caption>go<answer>0:0,${i + 1}:1</answer>`),
}));

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

async function batches(steps: number[]): Promise<SftBatch[]> {
  return firstValueFrom(from(steps).pipe(batchSamples({ rows, model, rng: new Rng(1), cursor: START, batch: 2, bucket: 16 }), toArray()));
}

async function withModel<T>(run: (vlm: Vlm, optimizer: AdamW) => Promise<T>): Promise<T> {
  const vlm = createVlm(model, 5);
  try {
    return await run(vlm, new AdamW(vlm.params, { lr: 1e-2, warmupSteps: 0 }));
  } finally {
    disposeVlm(vlm);
  }
}

describe('sftUpdate', () => {
  it('updates once per batch, one batch at a time, and emits each step’s record in order', async () => {
    const input = await batches([1, 2]);
    await withModel(async (vlm, optimizer) => {
      const checked: string[] = [];
      const before = vlm.params.values().next().value!.arraySync();
      // both batches arrive at once: a second update started before the first ended would see step 0 and refuse
      const records = await firstValueFrom(
        from(input).pipe(sftUpdate({ model: vlm, optimizer, objective: { kind: 'ngdiff' }, stage: 'main', check: (w) => checked.push(w) }), toArray()),
      );
      expect(optimizer.step).toBe(2);
      expect(checked).toEqual(['sft step 1', 'sft step 2']);
      expect(records.map((r) => ({ stage: r.stage, samples: r.samples, cursor: r.cursor }))).toEqual(
        input.map((b) => ({ stage: 'main', samples: 2, cursor: b.cursor })),
      );
      for (const r of records) {
        expect(Number.isFinite(r.loss)).toBe(true);
        expect(r.lambda).toBeGreaterThan(0);
        expect(r.lambda).toBeLessThan(1);
        expect(r.wallMs).toBeGreaterThan(0);
        expect(r.tokensPerSec).toBeCloseTo((r.tokens * 1000) / r.wallMs, 6);
      }
      expect(vlm.params.values().next().value!.arraySync()).not.toEqual(before); // the weights moved
    });
  });

  it('refuses a batch that is not for the optimizer’s next step', async () => {
    const [, second] = await batches([1, 2]);
    await withModel(async (vlm, optimizer) => {
      const run = firstValueFrom(from([second]).pipe(sftUpdate({ model: vlm, optimizer, objective: { kind: 'standard' }, stage: 'perception' })));
      await expect(run).rejects.toThrow('sftUpdate: batch for step 2 but the optimizer is at step 0');
      expect(optimizer.step).toBe(0);
    });
  });
});
