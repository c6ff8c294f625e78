/**
 * Loss and gradient parity of the model across backends against cpu (issue 8): one fresh model from a seed,
 * one fixed batch, one JSON line per backend. The webgpu comparison lives here, not in the test suite,
 * because it needs an adapter (the H100 through the device tool, or Mesa's GLES path: EGL_PLATFORM=surfaceless).
 *
 *   npx tsx bench/parity.ts --size tiny --rows 4 --backends wasm,webgpu
 *   npx tsx bench/parity.ts --backends webgpu --check    # CI: exit 1 past the tolerances or on any error
 */
import { guardedUpdateParity } from './checks/guarded-parity.ts';
import { queuedStepsCheck, queuedStepsOk } from './checks/queued-steps.ts';
import { modelConfig, type ModelSize } from '../src/model/config.ts';
import { resolveBackend } from '../src/backend/index.ts';
import { fusedKernelParity } from './checks/fused-parity.ts';
import { compareSnapshots, gradientSnapshot, parityBatch } from './checks/parity.ts';
import { tensorCoreParity } from './checks/tc-parity.ts';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = argv.indexOf('--' + name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};
const config = modelConfig(arg('size', 'tiny') as ModelSize);
const rows = parityBatch(config, Number(arg('rows', '4')));
// The same bounds as test/src/model/parity.test.ts (cpu vs wasm); measured cpu vs webgpu is ~1e-6.
const check = argv.includes('--check');
const LOSS_ABS = 5e-5;
const GRAD_REL = 1e-4;
const FUSED_REL = 1e-5; // fused AdamW / Σg² vs the reference ops on the same device
const LAYER_REL = 1e-4; // fused LayerNorm / matmul+bias / matmul / attention (value and gradients) vs the reference ops
let failures = 0;

const cpu = await resolveBackend('cpu');
const reference = await gradientSnapshot(config, rows);
console.log(JSON.stringify({ what: 'parity', backend: 'cpu', device: cpu.device, loss: reference.loss, norm: reference.norm }));
const backends = arg('backends', 'wasm,webgpu').split(',');
for (const name of backends) {
  try {
    const backend = await resolveBackend(name);
    const snap = await gradientSnapshot(config, rows);
    const errors = backend.gpuErrors().length;
    const report = compareSnapshots(snap, reference);
    const ok = errors === 0 && report.lossAbs <= LOSS_ABS && report.gradRel <= GRAD_REL;
    if (!ok) failures++;
    console.log(JSON.stringify({ what: 'parity', backend: name, device: backend.device, loss: snap.loss, norm: snap.norm, ...report, gpuErrors: errors, ok }));
    if (name === 'webgpu' && process.env.ASYMFLOW_SPEED_PATCHES !== '0') {
      // Our fused kernels against the reference ops on the same device (f32 rounding apart).
      const fused = await fusedKernelParity();
      const fusedOk =
        fused.fusedRan &&
        fused.guardHeld &&
        fused.adamwRel <= FUSED_REL &&
        fused.normRel <= FUSED_REL &&
        fused.layerNormRel <= LAYER_REL &&
        fused.linearRel <= LAYER_REL &&
        fused.geluRel <= LAYER_REL &&
        fused.segmentSumRel <= LAYER_REL &&
        fused.embedRel <= LAYER_REL &&
        fused.headLogprobsRel <= LAYER_REL &&
        fused.attentionRel <= LAYER_REL &&
        fused.matmulRel <= LAYER_REL &&
        fused.columnSumRel <= LAYER_REL &&
        fused.kvWriteAbs === 0 &&
        fused.sampleSameTokens &&
        fused.sampleLogprobAbs <= 1e-4 &&
        fused.gpuDecodeRan &&
        fused.gpuGreedySame &&
        fused.gpuGreedyLogprobAbs <= 1e-4 &&
        fused.gpuSampledSame &&
        fused.gpuSampledLogprobAbs <= 1e-4 &&
        backend.gpuErrors().length === 0;
      if (!fusedOk) failures++;
      console.log(JSON.stringify({ what: 'fused-kernel-parity', backend: name, ...fused, gpuErrors: backend.gpuErrors().length, ok: fusedOk }));
      // The packed guarded update against the reference ops, then trainStep's queueing through it: queued
      // steps in GPU order, a NaN step refused on the device.
      const guarded = await guardedUpdateParity();
      const guardedOk =
        guarded.packedSteps === 5 &&
        guarded.staleRefusals.every((accepted) => !accepted) &&
        guarded.verdictsSame &&
        guarded.normRel <= FUSED_REL &&
        guarded.stateRel <= FUSED_REL;
      if (!guardedOk) failures++;
      console.log(JSON.stringify({ what: 'guarded-update-parity', backend: name, ...guarded, ok: guardedOk }));
      const queued = await queuedStepsCheck();
      const queuedOk = queuedStepsOk(queued) && backend.gpuErrors().length === 0;
      if (!queuedOk) failures++;
      console.log(JSON.stringify({ what: 'queued-steps', backend: name, ...queued, ok: queuedOk }));
    }
    await backend.dispose();
  } catch (err) {
    failures++;
    console.log(JSON.stringify({ what: 'parity', backend: name, error: (err as Error).message.split('\n')[0] }));
  }
}
if (backends.includes('webgpu')) {
  // Mixed precision where the adapter has subgroup matrices (the H200, lavapipe): the tensor-core matmul and the
  // model's gradients (checks/tc-parity.ts); everywhere else the run's own line says why not, never silently.
  try {
    const tc = await tensorCoreParity(config, rows, reference);
    if ('ok' in tc && !tc.ok) failures++;
    console.log(JSON.stringify({ what: 'mixed-precision-parity', backend: 'webgpu', ...tc }));
  } catch (err) {
    failures++;
    console.log(JSON.stringify({ what: 'mixed-precision-parity', backend: 'webgpu', error: (err as Error).message.split('\n')[0] }));
  }
}
if (check && failures > 0) {
  console.error(`parity: ${failures} backend(s) failed (loss within ${LOSS_ABS}, gradients within ${GRAD_REL} relative, no GPU errors)`);
  process.exit(1);
}
