/**
 * bench/parity.ts's mixed-precision entry (issue 17): where the webgpu adapter has the tensor-core features
 * (the H200; Mesa's lavapipe through bench/lavapipe.sh), the tensor-core matmul against float64 of its
 * f16-rounded operands (tc-matmul-check.ts) and the model's loss and gradients under `--precision mixed`
 * against cpu's fp32; elsewhere the one line the run itself prints, saying why it ran fp32 (never a silent skip).
 *
 * Bounds for the model (tiny, one batch): every matmul operand loses the bits past f16's 11 (2^-12 ≈ 2.4e-4
 * relative at most), through the forward and both backward products. The loss within MIXED_LOSS_ABS (2^-12 of
 * tiny's ~4.6: as if only the loss itself were rounded to f16; lavapipe: 1.3e-5); the gradients as one vector, ‖g − g_cpu‖ / ‖g_cpu‖ within MIXED_GRAD_NORMWISE (4 × 2^-11). Not
 * per parameter as fp32 is checked: at initialisation the attention q/k weight gradients are small sums that
 * nearly cancel (scores almost uniform), so their own relative error is percents while the step barely sees it
 * (lavapipe: 2.4e-2 for blocks.0.attn.q.w, normwise 3.7e-4). Normwise above MIXED_MIN_NORMWISE too: fp32 kernels
 * give ~1e-6 there, so a run that silently stayed fp32 fails.
 */
import { resolveBackend } from '../../src/backend/index.ts';
import type { ModelConfig } from '../../src/model/config.ts';
import type { ScoreRow } from '../../src/model/logprobs.ts';
import { compareSnapshots, gradientSnapshot, type GradientSnapshot } from './parity.ts';
import { tcMatmulParity } from './tc-matmul-check.ts';

export const MIXED_LOSS_ABS = 1e-3;
export const MIXED_GRAD_NORMWISE = 2e-3;
export const MIXED_MIN_NORMWISE = 3e-5;

/** ‖a − b‖ / ‖b‖ over every gradient of the model at once. */
function normwise(a: GradientSnapshot, b: GradientSnapshot): number {
  let [diff, base] = [0, 0];
  for (const [name, want] of b.grads) {
    const got = a.grads.get(name) as Float32Array;
    for (let i = 0; i < want.length; i++) [diff, base] = [diff + ((got[i] as number) - (want[i] as number)) ** 2, base + (want[i] as number) ** 2];
  }
  return Math.sqrt(diff / base);
}

export type TcParity =
  | { readonly skipped: string }
  | {
      readonly device: string;
      readonly matmulWorstRel: number;
      readonly matmulOk: boolean;
      readonly lossAbs: number;
      readonly gradNormwise: number;
      readonly gradRel: number;
      readonly worstParam: string;
      readonly gpuErrors: number;
      readonly ok: boolean;
    };

/** Resolves webgpu under --precision mixed (disposing it after) and checks it against cpu's `reference`. */
export async function tensorCoreParity(config: ModelConfig, rows: readonly ScoreRow[], reference: GradientSnapshot): Promise<TcParity> {
  const lines: string[] = [];
  const backend = await resolveBackend('webgpu', { precision: 'mixed', log: (line) => lines.push(line) }).catch((err: Error) => err);
  if (backend instanceof Error) return { skipped: backend.message.split('\n')[0] as string };
  try {
    if (backend.precision !== 'mixed') return { skipped: lines.find((l) => l.startsWith('precision:')) ?? 'precision: fp32' };
    const matmul = await tcMatmulParity();
    const snap = await gradientSnapshot(config, rows);
    const report = compareSnapshots(snap, reference); // per parameter: reported, not bounded (see above)
    const gradNormwise = normwise(snap, reference);
    const gpuErrors = backend.gpuErrors().length;
    const ok = matmul.ok && report.lossAbs <= MIXED_LOSS_ABS && gradNormwise <= MIXED_GRAD_NORMWISE && gradNormwise >= MIXED_MIN_NORMWISE && gpuErrors === 0;
    return { device: backend.device, matmulWorstRel: matmul.worstRel, matmulOk: matmul.ok, ...report, gradNormwise, gpuErrors, ok };
  } finally {
    await backend.dispose();
  }
}
