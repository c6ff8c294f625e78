/**
 * Parity of the packed guarded update (src/webgpu/guarded-step.ts) with the reference ops (guarded-update.ts) on
 * the active webgpu backend: the same gradients and losses through both forms for a few steps — clipped,
 * with and without weight decay, one step's loss NaN so both refuse it and restart the chain — then the
 * verdicts and every p, m, v compared. bench/parity.ts runs it (GLES in CI, the H100).
 */
import * as tf from '@tensorflow/tfjs';
import { AdamW } from '../../src/model/adamw.ts';
import { guardedForms, queueGuardedUpdate } from '../../src/model/guarded-update.ts';
import { setFusedOptimizer } from '../../src/webgpu/index.ts';
import { Rng } from '../../src/rng.ts';

export interface GuardedParityReport {
  readonly staleRefusals: readonly boolean[]; // staleChainCheck in the packed form: accepted per update A, B, C, E
  readonly packedSteps: number; // updates that took the packed form (must be all of the fused run's)
  readonly verdictsSame: boolean; // accepted/refused the same at every step, losses bit for bit
  readonly normRel: number; // max relative difference of the reported norms
  readonly stateRel: number; // max over p, m, v of max|packed − reference| / max|reference|
}

const SHAPES: readonly number[][] = [[3], [40, 7], [9000], [64, 130]]; // a partial chunk, several chunks

async function run(fused: boolean, steps: number): Promise<{ verdicts: Float32Array[]; state: Float32Array[]; packed: number }> {
  const rng = new Rng('guarded-parity');
  const params = new Map(
    SHAPES.map((shape, i) => {
      const t = tf.tensor(
        Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
        shape,
      );
      const v = tf.variable(t, true, `guarded-parity-${fused}-${i}`);
      t.dispose();
      return [`w${i}`, v] as const;
    }),
  );
  const optimizer = new AdamW(params, { lr: 1e-2, weightDecay: 0.1, clipNorm: 1, warmupSteps: 2 }, (name) => name !== 'w1');
  const was = setFusedOptimizer(fused);
  const before = guardedForms.packed;
  const verdicts: Float32Array[] = [];
  try {
    for (let step = 0; step < steps; step++) {
      const grads = Object.fromEntries(
        [...params].map(([name, v]) => [
          name,
          tf.tensor(
            Float32Array.from({ length: v.size }, () => 2 * rng.normal()),
            v.shape,
          ),
        ]),
      );
      const loss = tf.scalar(step === 2 ? NaN : 1 + rng.next());
      const update = queueGuardedUpdate(optimizer, grads, loss);
      const values = (await update.verdict.data()) as Float32Array;
      update.settle(values[2] === 1);
      verdicts.push(values);
      tf.dispose([update.verdict, loss, ...Object.values(grads)]);
    }
    const state = await Promise.all([...params.values(), ...optimizer.m.values(), ...optimizer.v.values()].map((t) => t.data() as Promise<Float32Array>));
    return { verdicts, state, packed: guardedForms.packed - before };
  } finally {
    setFusedOptimizer(was);
    optimizer.dispose();
    tf.dispose([...params.values()]);
  }
}

/**
 * The chain's generations on the active backend's form: A (NaN) and B queued; A read back (refused); C (NaN)
 * queued; B read back (refused as queued behind A — a stale refusal, which must not restart the chain C
 * started); E queued, behind the refused C; then C and E read back. Accepted per update: all false when
 * correct (E is refused as queued behind C), E true when a stale refusal restarted the chain.
 */
export async function staleChainCheck(): Promise<boolean[]> {
  const w = tf.variable(tf.ones([5]), true);
  const optimizer = new AdamW(new Map([['w', w]]), { lr: 1e-2 });
  const g = tf.ones([5]);
  const queue = (lossValue: number) => {
    const loss = tf.scalar(lossValue);
    const update = queueGuardedUpdate(optimizer, { w: g }, loss);
    loss.dispose();
    return update;
  };
  const settle = async (u: ReturnType<typeof queueGuardedUpdate>) => {
    const accepted = (await u.verdict.data())[2] === 1;
    u.settle(accepted);
    u.verdict.dispose();
    return accepted;
  };
  try {
    const a = queue(NaN);
    const b = queue(1);
    const accepted = [await settle(a)];
    const c = queue(NaN);
    accepted.push(await settle(b));
    const e = queue(1);
    accepted.push(await settle(c), await settle(e));
    return accepted;
  } finally {
    optimizer.dispose();
    tf.dispose([w, g]);
  }
}

/** Needs the webgpu backend active. */
export async function guardedUpdateParity(steps = 5): Promise<GuardedParityReport> {
  if (tf.getBackend() !== 'webgpu') throw new Error(`guardedUpdateParity: needs the webgpu backend, active is ${tf.getBackend()}`);
  const packed = await run(true, steps);
  const reference = await run(false, steps);
  let normRel = 0;
  const verdictsSame = packed.verdicts.every((v, i) => {
    const r = reference.verdicts[i];
    if (Number.isFinite(r[1])) normRel = Math.max(normRel, Math.abs(v[1] - r[1]) / Math.max(Math.abs(r[1]), 1e-30));
    return v[2] === r[2] && Object.is(v[0], r[0]);
  });
  let stateRel = 0;
  packed.state.forEach((x, i) => {
    const y = reference.state[i];
    let diff = 0;
    let scale = 0;
    for (let j = 0; j < y.length; j++) {
      diff = Math.max(diff, Math.abs(x[j] - y[j]));
      scale = Math.max(scale, Math.abs(y[j]));
    }
    stateRel = Math.max(stateRel, diff / Math.max(scale, 1e-30));
  });
  const was = setFusedOptimizer(true);
  const staleRefusals = await staleChainCheck();
  setFusedOptimizer(was);
  return { staleRefusals, packedSteps: packed.packed, verdictsSame, normRel, stateRel };
}
