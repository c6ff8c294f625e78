/**
 * trainStep's queueing contract on the active backend (train.ts): steps queued before any is awaited give the
 * same losses and weights as steps awaited one by one, and a non-finite step queued among them is refused on
 * the device together with the step queued behind it, the weights left as the last accepted step made them.
 * The unit tests run it on cpu; bench/parity.ts on webgpu (GLES in CI, the H100), where the refusal is the
 * fused AdamW kernel's guard and the ordering is the GPU queue's.
 */
import * as tf from '@tensorflow/tfjs';
import { AdamW } from '../../src/model/adamw.ts';
import { weightsSha256 } from '../../src/model/checkpoint.ts';
import { modelConfig } from '../../src/model/config.ts';
import { prepareBatch, type TokenLogprobs } from '../../src/model/logprobs.ts';
import { promptTokens } from '../../src/prompt.ts';
import { trainStep, type StepResult } from '../../src/model/train.ts';
import { createVlm, disposeVlm, type Vlm } from '../../src/model/vlm.ts';
import { Rng } from '../../src/rng.ts';
import { encode } from '../../src/tokenizer.ts';

export interface QueuedStepsReport {
  readonly queuedSame: boolean; // two queued steps: the losses and weights of two awaited ones
  readonly lossesMoved: boolean; // the second step's loss differs from the first's (the check can fail)
  readonly refusals: readonly string[]; // outcome of [finite, NaN, finite] queued: 'ok' or the error message
  readonly refusedHeld: boolean; // after the refusals: step counter 1, weights those of one accepted step
  readonly resumedSame: boolean; // the next step after the refusals equals step 2 of an unrefused run
}

const crossEntropy = ({ logp, mask }: TokenLogprobs): tf.Scalar => tf.div(tf.neg(tf.sum(tf.mul(logp, mask))), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
const nanLoss = (t: TokenLogprobs) => tf.mul(crossEntropy(t), NaN) as tf.Scalar;

export async function queuedStepsCheck(): Promise<QueuedStepsReport> {
  const config = modelConfig('tiny', { inputSize: 32 });
  const rng = new Rng('queued-steps');
  const batch = prepareBatch(
    config,
    ['<caption>1-2</caption>ok<answer>1</answer>', '<caption>3.4</caption>no<answer>2</answer>'].map((t) => ({
      pixels: Float32Array.from({ length: config.inputSize ** 2 }, () => rng.next()),
      prompt: promptTokens('Q'),
      response: encode(t),
    })),
    16,
  );
  const runs: { model: Vlm; optimizer: AdamW }[] = [];
  const fresh = () => {
    const model = createVlm(config, 4);
    const run = { model, optimizer: new AdamW(model.params, { lr: 1e-2 }) };
    runs.push(run);
    return run;
  };
  const step = (r: { model: Vlm; optimizer: AdamW }, loss = crossEntropy): Promise<StepResult> => trainStep(r.model, r.optimizer, batch, loss);
  try {
    const awaited = fresh();
    const a = [await step(awaited), await step(awaited)];
    const queued = fresh();
    const q = await Promise.all([step(queued), step(queued)]);
    const queuedSame =
      q.every((r, i) => r.loss === a[i].loss && r.gradNorm === a[i].gradNorm) && (await weightsSha256(queued.model)) === (await weightsSha256(awaited.model));

    const one = fresh();
    await step(one);
    const refused = fresh();
    const outcomes = await Promise.allSettled([step(refused), step(refused, nanLoss), step(refused)]);
    const refusals = outcomes.map((o) => (o.status === 'fulfilled' ? 'ok' : String((o.reason as Error).message)));
    const refusedHeld = refused.optimizer.step === 1 && (await weightsSha256(refused.model)) === (await weightsSha256(one.model));
    const resumed = await step(refused);
    const resumedSame = resumed.loss === a[1].loss && resumed.step === 2 && (await weightsSha256(refused.model)) === (await weightsSha256(awaited.model));
    return { queuedSame, lossesMoved: a[0].loss !== a[1].loss, refusals, refusedHeld, resumedSame };
  } finally {
    for (const r of runs) {
      r.optimizer.dispose();
      disposeVlm(r.model);
    }
  }
}

/** The refusals a correct trainStep reports for [finite, NaN, finite] queued from step 1. */
export const EXPECTED_REFUSALS = [
  'ok',
  'trainStep: loss NaN / gradient norm NaN is not finite at step 2; weights unchanged',
  'trainStep: an earlier queued step was not finite at step 3; weights unchanged',
] as const;

export const queuedStepsOk = (r: QueuedStepsReport): boolean =>
  r.queuedSame && r.lossesMoved && r.refusedHeld && r.resumedSame && r.refusals.every((x, i) => x === EXPECTED_REFUSALS[i]);
