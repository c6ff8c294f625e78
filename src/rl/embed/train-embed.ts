/**
 * Trains the contrastive encoder (encoder.ts) on (image, p*) pairs of a task's train split with the
 * symmetric InfoNCE loss of CLIP: in a batch of B pairs, each image must pick its own caption among the B
 * and each caption its own image; temperature τ fixed. Adam, a fixed number of steps over a pool of
 * generated samples rendered once.
 */
import * as tf from '@tensorflow/tfjs';
import { generatedSamples } from '../../data/generated-samples.ts';
import { Rng } from '../../rng.ts';
import type { Task } from '../../tasks/task.ts';
import type { TrainEmbedOptions } from './train-embed-config.ts';
import { captionIds, createEncoder, embedCaptions, embedImages, ENCODER_DEFAULTS, gridFor, poolImages, type Encoder } from './encoder.ts';

// The options and their defaults live apart from the tensor code, so the CLI's help loads no tfjs.
export { TRAIN_EMBED_DEFAULTS, type TrainEmbedOptions } from './train-embed-config.ts';

/** Symmetric InfoNCE over a batch, and the fraction of images whose best caption is their own. */
export function infoNce(e: Encoder, pooled: tf.Tensor2D, ids: tf.Tensor2D, tau: number): { loss: tf.Scalar; accuracy: tf.Scalar } {
  return tf.tidy(() => {
    const logits = tf.div(tf.matMul(embedImages(e, pooled), embedCaptions(e, ids), false, true), tau); // [B, B]
    const b = pooled.shape[0];
    const labels = tf.oneHot(tf.range(0, b, 1, 'int32'), b); // [B, B]
    const loss = tf.div(tf.add(tf.losses.softmaxCrossEntropy(labels, logits), tf.losses.softmaxCrossEntropy(labels, tf.transpose(logits))), 2) as tf.Scalar;
    const accuracy = tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.range(0, b, 1, 'int32')), 'float32')) as tf.Scalar;
    return { loss, accuracy };
  });
}

export async function trainEmbed(task: Task, o: TrainEmbedOptions): Promise<{ encoder: Encoder; loss: number; accuracy: number }> {
  const images: Float32Array[] = [];
  const captions: string[] = [];
  for await (const s of generatedSamples(task, { split: 'train_sft', n: o.samples, seed: o.seed, options: { ...o.taskOptions, inputSize: o.inputSize } })) {
    if (!s.pixels) throw new Error(`train-embed: sample ${s.puzzle.id} has no model-input pixels`);
    images.push(s.pixels);
    captions.push(s.puzzle.pStar);
  }
  const encoder = createEncoder({ ...ENCODER_DEFAULTS, grid: gridFor(o.inputSize), inputSize: o.inputSize }, o.seed);
  const pooled = poolImages(encoder, images);
  const ids = captionIds(encoder, captions);
  const g2 = encoder.config.grid ** 2;
  const t = encoder.config.maxText;
  const optimizer = tf.train.adam(o.lr);
  const rng = new Rng(o.seed).split('embed-batches');
  const b = Math.min(o.batch, images.length);
  let last = { loss: NaN, accuracy: NaN };
  for (let step = 1; step <= o.steps; step++) {
    const picks = Array.from({ length: b }, () => Math.floor(rng.next() * images.length));
    const unique = [...new Set(picks)];
    // All picks the same pair: no negatives, and InfoNCE over one pair is undefined (a crash in oneHot). Only
    // then is another drawn, so every batch that trained before draws as it did.
    while (unique.length < Math.min(2, images.length)) {
      const k = Math.floor(rng.next() * images.length);
      if (!unique.includes(k)) unique.push(k);
    }
    const px = new Float32Array(unique.length * g2);
    const tk = new Int32Array(unique.length * t);
    unique.forEach((k, i) => (px.set(pooled.subarray(k * g2, (k + 1) * g2), i * g2), tk.set(ids.subarray(k * t, (k + 1) * t), i * t)));
    let accuracy = tf.scalar(0);
    const loss = optimizer.minimize(
      () => {
        const r = infoNce(encoder, tf.tensor2d(px, [unique.length, g2]), tf.tensor2d(tk, [unique.length, t], 'int32'), o.tau);
        accuracy.dispose();
        accuracy = tf.keep(r.accuracy);
        return r.loss;
      },
      true,
      [...encoder.params.values()],
    )!;
    last = { loss: (await loss.data())[0], accuracy: (await accuracy.data())[0] };
    tf.dispose([loss, accuracy]);
    o.onStep?.(step, last.loss, last.accuracy);
  }
  optimizer.dispose();
  return { encoder, ...last };
}
