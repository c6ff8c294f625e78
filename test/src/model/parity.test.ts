import { afterAll, describe, expect, it } from 'vitest';
import { modelConfig } from '../../../src/model/config.ts';
import { resolveBackend } from '../../../src/backend/index.ts';
import { compareSnapshots, gradientSnapshot, parityBatch, type GradientSnapshot } from '../../../bench/checks/parity.ts';

// cpu vs wasm on every CI run; webgpu is compared by bench/parity.ts where an adapter exists.
// Measured: loss 1.4e-6 abs, gradients 3.5e-6 relative; the bounds leave ~30× headroom.
const LOSS_ABS = 5e-5;
const GRAD_REL = 1e-4;

describe('backend parity of loss and gradients (tiny model, fixed batch)', () => {
  // tiny with a 4×4-patch image: the cpu backend is the slow side, and the shapes still cover every op.
  const config = modelConfig('tiny', { inputSize: 32 });
  const rows = parityBatch(config, 2);
  let cpu: GradientSnapshot;
  const log = () => {};
  afterAll(async () => {
    await resolveBackend('cpu', { env: {}, log });
  });

  it('cpu gives a finite loss near ln(vocab) and nonzero gradients for every parameter', async () => {
    await resolveBackend('cpu', { env: {}, log });
    cpu = await gradientSnapshot(config, rows);
    expect(Number.isFinite(cpu.loss)).toBe(true);
    expect(Math.abs(cpu.loss - Math.log(config.vocab))).toBeLessThan(1);
    expect(cpu.grads.size).toBeGreaterThan(20);
    expect(cpu.norm).toBeGreaterThan(0);
  });

  it('wasm matches cpu (its gather gradient comes from the UnsortedSegmentSum patch)', async () => {
    await resolveBackend('wasm', { env: {}, log });
    const wasm = await gradientSnapshot(config, rows);
    expect(wasm.backend).toBe('wasm');
    const report = compareSnapshots(wasm, cpu);
    expect(report.lossAbs).toBeLessThan(LOSS_ABS);
    expect(report.normRel).toBeLessThan(GRAD_REL);
    expect(report.gradRel, `worst parameter ${report.worstParam}`).toBeLessThan(GRAD_REL);
  });

  it('the comparison itself catches a wrong gradient', () => {
    const grads = new Map(cpu.grads);
    const [name, g] = [...grads][0];
    const broken = g.slice();
    broken[0] += 0.01 * Math.max(...Array.from(g, Math.abs)) + 1e-6;
    grads.set(name, broken);
    const report = compareSnapshots({ ...cpu, grads }, cpu);
    expect(report.gradRel).toBeGreaterThan(GRAD_REL);
    expect(report.worstParam).toBe(name);
  });
});
