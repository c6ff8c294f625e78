/**
 * Cross-backend parity (issue 8): the same model (weights drawn from a seed in JS) and the same batch give
 * the same loss and gradients on every backend, within a stated tolerance. Used by the cpu-vs-wasm test
 * (CI) and by bench/parity.ts (webgpu on Mesa's GLES path and on the H100).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/rng.ts';
import { encode } from '../../src/tokenizer.ts';
import type { ModelConfig } from '../../src/model/config.ts';
import type { ScoreRow } from '../../src/model/logprobs.ts';
import { promptTokens } from '../../src/prompt.ts';
import { disposeGradients, gradients } from '../../src/model/train.ts';
import { createVlm, disposeVlm } from '../../src/model/vlm.ts';

export interface GradientSnapshot {
  readonly backend: string;
  readonly loss: number;
  readonly norm: number;
  readonly grads: ReadonlyMap<string, Float32Array>;
}

export interface ParityReport {
  readonly lossAbs: number; // |loss_a − loss_b|
  readonly normRel: number; // |norm_a − norm_b| / norm_b
  /** max over parameters of max|g_a − g_b| / max(max|g_b|, 1e-4 · largest |g_b| of the model) */
  readonly gradRel: number;
  readonly worstParam: string;
}

/** `n` rows with a caption + answer response, random pixels: deterministic in `seed`. */
export function parityBatch(c: ModelConfig, n: number, seed = 1): ScoreRow[] {
  const rng = new Rng(seed).split('parity');
  return Array.from({ length: n }, (_, i) => {
    const pixels = Float32Array.from({ length: c.inputSize * c.inputSize }, () => rng.next());
    const grid = Array.from({ length: 6 + i }, () => String(rng.int(10))).join('');
    return {
      pixels,
      prompt: promptTokens(`Solve the puzzle ${i}.`),
      response: encode(`<caption>${grid}</caption>so ${grid.length}<answer>${rng.int(100)}</answer>`),
    };
  });
}

/** Mean token NLL over the response mask: the SFT loss shape. */
const meanNll = (out: { logp: tf.Tensor2D; mask: tf.Tensor2D }): tf.Scalar => tf.div(tf.neg(tf.sum(tf.mul(out.logp, out.mask))), tf.sum(out.mask)) as tf.Scalar;

/** Loss and gradients of a fresh model from `seed` on the active backend, downloaded. */
export async function gradientSnapshot(c: ModelConfig, rows: readonly ScoreRow[], seed = 0): Promise<GradientSnapshot> {
  const model = createVlm(c, seed);
  const g = gradients(model, rows, meanNll);
  const grads = new Map<string, Float32Array>();
  for (const [name, t] of Object.entries(g.grads)) grads.set(name, (await t.data()) as Float32Array);
  const [loss, norm] = [(await g.loss.data())[0], (await g.norm.data())[0]];
  disposeGradients(g);
  disposeVlm(model);
  return { backend: tf.getBackend(), loss, norm, grads };
}

/** How far `a` is from the reference `b`. */
export function compareSnapshots(a: GradientSnapshot, b: GradientSnapshot): ParityReport {
  const maxAbs = (v: Float32Array) => v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  const globalScale = Math.max(...[...b.grads.values()].map(maxAbs));
  let gradRel = 0;
  let worstParam = '';
  for (const [name, want] of b.grads) {
    const got = a.grads.get(name);
    if (!got) throw new Error(`parity: ${a.backend} has no gradient for '${name}'`);
    let maxDiff = 0;
    for (let i = 0; i < want.length; i++) {
      const d = Math.abs(got[i] - want[i]);
      maxDiff = Number.isNaN(d) ? Infinity : Math.max(maxDiff, d);
    }
    // Floor at 1e-4 of the largest gradient: some gradients are analytically zero (the attention key bias
    // shifts every score of a row equally) and hold only rounding noise.
    const rel = maxDiff === 0 ? 0 : maxDiff / Math.max(maxAbs(want), 1e-4 * globalScale, 1e-30);
    if (rel > gradRel || worstParam === '') [gradRel, worstParam] = [rel, name];
  }
  return {
    lossAbs: Math.abs(a.loss - b.loss),
    normRel: Math.abs(a.norm - b.norm) / Math.max(b.norm, 1e-30),
    gradRel,
    worstParam,
  };
}
