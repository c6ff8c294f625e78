/**
 * Dynamic loss scaling for mixed precision (issue 17): the tensor-core matmuls round their operands to f16,
 * whose smallest normal is 6.1e-5 — a token-mean loss over ~19k tokens has output gradients near that, so
 * the backward pass would lose them to subnormals or zero. The loss is multiplied by `scale` before the
 * backward pass (lossAndGradients, train.ts) and the gradients divided by it inside the guarded update's
 * clip factor (queueGuardedUpdate's gradScale); a step whose scaled
 * gradients overflowed f16 is refused on the device (the guarded update's finite check) and retried at half
 * the scale, and after `growthInterval` accepted steps the scale doubles (the usual GradScaler rule).
 * Kept per optimizer and saved in its checkpoint, so a resumed run scales as the uninterrupted one did.
 */
import { mixedPrecision } from '../webgpu/index.ts';
import type { AdamW } from './adamw.ts';

export interface LossScaleState {
  readonly scale: number;
  readonly goodSteps: number;
}

export const LOSS_SCALE_INIT = 2 ** 15;
export const LOSS_SCALE_GROWTH_INTERVAL = 200;
const MIN_SCALE = 1;
const MAX_SCALE = 2 ** 24;

export class LossScale {
  scale: number;
  goodSteps: number;

  constructor(
    state: LossScaleState = { scale: LOSS_SCALE_INIT, goodSteps: 0 },
    readonly growthInterval = LOSS_SCALE_GROWTH_INTERVAL,
  ) {
    if (!(state.scale >= MIN_SCALE && state.scale <= MAX_SCALE) || !Number.isInteger(state.goodSteps) || state.goodSteps < 0) {
      throw new Error(`loss scale state ${JSON.stringify(state)}: scale must be in [${MIN_SCALE}, ${MAX_SCALE}], goodSteps a count`);
    }
    this.scale = state.scale;
    this.goodSteps = state.goodSteps;
  }

  /** The scaled gradients overflowed: halve the scale. False when it is already at its floor (give up). */
  overflowed(): boolean {
    this.goodSteps = 0;
    if (this.scale <= MIN_SCALE) return false;
    this.scale = Math.max(MIN_SCALE, this.scale / 2);
    return true;
  }

  /** A step was accepted: count it, and double the scale after growthInterval of them in a row. */
  accepted(): void {
    if (++this.goodSteps < this.growthInterval) return;
    this.goodSteps = 0;
    this.scale = Math.min(MAX_SCALE, this.scale * 2);
  }

  state(): LossScaleState {
    return { scale: this.scale, goodSteps: this.goodSteps };
  }
}

const scales = new WeakMap<AdamW, LossScale>();

/** The optimizer's loss scale under mixed precision (made on first use), undefined in fp32. */
export function lossScaleOf(optimizer: AdamW): LossScale | undefined {
  if (!mixedPrecision() && !scales.has(optimizer)) return undefined; // the backend's switch (src/webgpu/update-switches.ts)
  let s = scales.get(optimizer);
  if (!s) scales.set(optimizer, (s = new LossScale()));
  return s;
}

/** A checkpoint's loss scale back onto its optimizer. */
export function restoreLossScale(optimizer: AdamW, state: LossScaleState): void {
  scales.set(optimizer, new LossScale(state));
}

/**
 * Why the device refused a step: its scaled gradients overflowed (the loss finite, the norm not), a step
 * queued before it on the optimizer was refused (both finite), or its loss itself is not finite.
 */
export type Refusal = 'overflow' | 'queued-behind' | 'not-finite';

export const refusalOf = (loss: number, gradNorm: number): Refusal =>
  !Number.isFinite(loss) ? 'not-finite' : !Number.isFinite(gradNorm) ? 'overflow' : 'queued-behind';

const MAX_ATTEMPTS = 64;

/**
 * Runs one step attempt at the optimizer's loss scale (1 in fp32) until the device accepts it: under mixed
 * precision an attempt refused for overflow is retried at half the scale, one refused for a refused step
 * queued before it at the same scale (its gradients were taken on weights that did not move). In fp32, and
 * for a loss that is not finite, the first answer stands.
 */
export async function withLossScale<T extends { accepted: boolean; refusal?: Refusal }>(optimizer: AdamW, attempt: (scale: number) => Promise<T>): Promise<T> {
  const ls = lossScaleOf(optimizer);
  for (let tries = 1; ; tries++) {
    const result = await attempt(ls?.scale ?? 1);
    if (!ls) return result;
    if (result.accepted) {
      ls.accepted();
      return result;
    }
    const retry = tries < MAX_ATTEMPTS && (result.refusal === 'queued-behind' || (result.refusal === 'overflow' && ls.overflowed()));
    if (!retry) return result;
  }
}
