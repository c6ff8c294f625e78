/**
 * The decode step's tensor-core linear (src/webgpu/rows-linear-tc.ts) on the adapter's fragment shape, against
 * float64 of the same f16-rounded operands: W rounded to f16 (the panel copy), x LayerNormed (float64 here, f32
 * there) then rounded, f32 sums. Bound per output, with S = Σ_k |x̂_k ŵ_k|:
 *   sums     (k + 16) · 2⁻²³ · (S + |b|)          f32 accumulation in any order, partials, bias
 *   norm     + Σ_k flip_k |ŵ_k|, flip_k one f16 ulp of x̂_k where f32's LayerNorm error (≤ (k + 8)·2⁻²⁴ of its
 *            terms) could round it the other way, else 0
 *   residual + 2⁻²³ |out|                        the f32 add
 *   gelu     × 1.13 (GELU's slope bound) + 2⁻¹⁹ (1 + |y|)   erf_as and exp in f32
 * Rows past B must keep what the output held (never written), and the outputs must lie far closer to the rounded
 * operands' product than to the unrounded one's (measured: ≤ 5.5e-6 vs ≥ 3.0e-3), which the fp32 kernel would not.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/rng.ts';
import { f16Round } from '../../src/webgpu/f16.ts';
import type { Epilogue } from '../../src/webgpu/rows-linear.ts';
import { panelDepth, panelHalves, panelWgsl, rowsLinearTcWgsl, rowsTcPlan, type RowsTcPlan } from '../../src/webgpu/rows-linear-tc.ts';
import { NVIDIA_TC_SHAPE } from '../../src/webgpu/tc-shape.ts';
import { lavapipeDevice, type TcDevice } from './device.ts';

let tc: TcDevice;
beforeAll(async () => {
  tc = await lavapipeDevice();
});

const [MAP_READ, COPY_SRC, COPY_DST, UNIFORM, STORAGE] = [0x1, 0x4, 0x8, 0x40, 0x80];
const SENTINEL = 1234.5;
const EPS = 1e-5;

interface Case {
  readonly epilogue: Epilogue;
  readonly rows: number; // B
  readonly k: number;
  readonly n: number; // columns per part
  readonly parts?: number; // 3: Q, K, V side by side
  readonly bias: boolean;
  readonly norm: boolean;
  readonly transposed?: boolean; // W stored [n, k] (the tied head)
}

function buffer(device: GPUDevice, data: ArrayBufferView | number, usage: number): GPUBuffer {
  const bytes = typeof data === 'number' ? data : data.byteLength;
  const b = device.createBuffer({ size: Math.max(16, Math.ceil(bytes / 16) * 16), usage: usage | COPY_DST });
  if (typeof data !== 'number') device.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, data.byteLength);
  return b;
}

async function compile(device: GPUDevice, code: string): Promise<GPUComputePipeline> {
  const module = device.createShaderModule({ code });
  const errors = (await module.getCompilationInfo()).messages.filter((m) => m.type === 'error');
  if (errors.length > 0) throw new Error(`WGSL: ${errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ')}`);
  return device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
}

/** The panel copy then the linear, in one pass, on the GPU; the output read back ([B + pad rows, N]). */
async function onGpu(plan: RowsTcPlan, c: Case, x: Float32Array, ws: Float32Array[], b: Float32Array, g: Float32Array, s: Float32Array, out0: Float32Array) {
  const device = tc.device;
  device.pushErrorScope('validation');
  const parts = c.parts ?? 1;
  const width = parts * c.n;
  const halves = panelHalves(plan, c.k, width);
  const panel = buffer(device, 2 * halves, STORAGE);
  const sources = ws.map((m) => buffer(device, m, STORAGE));
  while (sources.length < 3) sources.push(sources[0]);
  const u32 = (...v: number[]) => buffer(device, Uint32Array.from(v), UNIFORM);
  const kPad = panelDepth(plan, c.k);
  const panelU = u32(c.k, c.n, parts, c.transposed ? 1 : 0, kPad, Math.ceil(width / plan.cols), 0, 0);
  const out = buffer(device, out0, STORAGE | COPY_SRC);
  const linearU = buffer(device, new Uint32Array([c.rows, c.k, width, new Uint32Array(Float32Array.of(EPS).buffer)[0], kPad, 0, 0, 0]), UNIFORM);
  const extra = [...(c.bias ? [buffer(device, b, STORAGE)] : []), ...(c.norm ? [buffer(device, g, STORAGE), buffer(device, s, STORAGE)] : [])];
  const copy = await compile(device, panelWgsl(plan.cols));
  const linear = await compile(device, rowsLinearTcWgsl(plan, c.epilogue, c.bias, c.norm, c.k % 4 === 0));
  const group = (p: GPUComputePipeline, buffers: GPUBuffer[]) =>
    device.createBindGroup({ layout: p.getBindGroupLayout(0), entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })) });
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(copy);
  pass.setBindGroup(0, group(copy, [panel, ...sources, panelU]));
  pass.dispatchWorkgroups(Math.ceil(halves / 256));
  pass.setPipeline(linear);
  pass.setBindGroup(0, group(linear, [out, buffer(device, x, STORAGE), panel, ...extra, linearU]));
  pass.dispatchWorkgroups(Math.ceil(width / plan.cols), Math.ceil(c.rows / plan.rows));
  pass.end();
  const read = device.createBuffer({ size: out0.byteLength, usage: MAP_READ | COPY_DST });
  encoder.copyBufferToBuffer(out, 0, read, 0, out0.byteLength);
  device.queue.submit([encoder.finish()]);
  await read.mapAsync(MAP_READ);
  const got = new Float32Array(read.getMappedRange().slice(0));
  read.unmap();
  const error = await device.popErrorScope();
  if (error) throw new Error(`webgpu: ${error.message}`);
  return got;
}

/** erf as gelu.ts's erf_as, in float64. */
function erfAs(a: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(a));
  const poly = (((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592;
  return Math.sign(a) * (1 - poly * t * Math.exp(-a * a));
}

async function check(c: Case): Promise<{ worst: number; offRounded: number; offUnrounded: number }> {
  const plan = rowsTcPlan(tc.shape, c.rows, tc.device.limits.maxComputeWorkgroupStorageSize);
  if (!plan) throw new Error(`no plan for ${c.rows} rows on ${tc.shape.size}×${tc.shape.size}`);
  const rng = new Rng(`rows-linear-tc:${JSON.stringify(c)}`);
  const parts = c.parts ?? 1;
  const width = parts * c.n;
  const values = (n: number, scale: number, offset = 0) => Float32Array.from({ length: n }, () => offset + scale * rng.normal());
  const x = values(c.rows * c.k, 1.5, 0.3);
  const ws = Array.from({ length: parts }, () => values(c.k * c.n, 0.3));
  const [b, g, s] = [values(width, 0.5), values(c.k, 0.2, 1), values(c.k, 0.2)];
  const padRows = Math.ceil(c.rows / plan.rows) * plan.rows;
  const out0 = values(padRows * width, 1).fill(SENTINEL, c.rows * width);
  const got = await onGpu(plan, c, x, ws, b, g, s, out0);
  // W[kk, col] of the packed [k, parts·n] matrix; stored [n, k] when transposed.
  const unrounded = (kk: number, col: number) => {
    const m = ws[Math.floor(col / c.n)];
    const j = col % c.n;
    return c.transposed ? m[j * c.k + kk] : m[kk * c.n + j];
  };
  const weight = (kk: number, col: number) => f16Round(unrounded(kk, col));
  const epilogue = (y: number, at: number) => (c.epilogue === 'residual' ? out0[at] + y : c.epilogue === 'gelu' ? y * 0.5 * (1 + erfAs(y * Math.SQRT1_2)) : y);
  let worst = 0;
  let offRounded = 0; // largest |got − want| over the outputs
  let offUnrounded = 0; // and from float64 of the operands not rounded to f16
  for (let r = 0; r < padRows; r++) {
    const row = Array.from(x.subarray(r * c.k, (r + 1) * c.k));
    const flip = row.map(() => 0); // how far f32's LayerNorm may move x̂ (one f16 ulp where its rounding is in doubt)
    if (c.norm && r < c.rows) {
      const mean = row.reduce((a, v) => a + v, 0) / c.k;
      const rstd = 1 / Math.sqrt(row.reduce((a, v) => a + (v - mean) ** 2, 0) / c.k + EPS);
      const meanAbs = row.reduce((a, v) => a + Math.abs(v), 0) / c.k;
      row.forEach((v, i) => {
        const y = (v - mean) * rstd * g[i] + s[i];
        const doubt = 2 ** -24 * (c.k + 8) * (rstd * Math.abs(g[i]) * (Math.abs(v - mean) + meanAbs) + Math.abs(s[i]));
        flip[i] = f16Round(y + doubt) - f16Round(y - doubt);
        row[i] = y;
      });
    }
    const xh = row.map(f16Round);
    for (let col = 0; col < width; col++) {
      const at = r * width + col;
      if (r >= c.rows) {
        expect(got[at], `row ${r} past B written`).toBe(SENTINEL);
        continue;
      }
      let y = c.bias ? b[col] : 0;
      let yUnrounded = y;
      let sum = 0;
      let flips = 0;
      for (let kk = 0; kk < c.k; kk++) {
        const p = xh[kk] * weight(kk, col);
        y += p;
        yUnrounded += row[kk] * unrounded(kk, col);
        sum += Math.abs(p);
        flips += flip[kk] * Math.abs(weight(kk, col));
      }
      let bound = (c.k + 16) * 2 ** -23 * (sum + (c.bias ? Math.abs(b[col]) : 0)) + flips;
      const want = epilogue(y, at);
      if (c.epilogue === 'residual') bound += 2 ** -23 * Math.abs(want);
      if (c.epilogue === 'gelu') bound = 1.13 * bound + 2 ** -19 * (1 + Math.abs(y));
      const err = Math.abs(got[at] - want);
      if (!(err <= bound)) expect.fail(`[${r}, ${col}]: got ${got[at]}, want ${want} (bound ${bound})`);
      worst = Math.max(worst, err / bound);
      offRounded = Math.max(offRounded, err);
      offUnrounded = Math.max(offUnrounded, Math.abs(got[at] - epilogue(yUnrounded, at)));
    }
  }
  return { worst, offRounded, offUnrounded };
}

describe('the tensor-core rows linear against float64 of f16-rounded operands', () => {
  const cases: [string, Case][] = [
    ['QKV: LayerNorm, bias, three packed parts, 32 rows', { epilogue: 'store', rows: 32, k: 264, n: 32, parts: 3, bias: true, norm: true }],
    ['FFN1: LayerNorm, bias, GELU, one row', { epilogue: 'gelu', rows: 1, k: 256, n: 256, bias: true, norm: true }],
    ['FFN2: residual, bias, several k-steps with a partial last one', { epilogue: 'residual', rows: 20, k: 600, n: 40, bias: true, norm: false }],
    [
      'tied head: LayerNorm, no bias, W stored transposed, odd widths',
      { epilogue: 'store', rows: 13, k: 261, n: 29, bias: false, norm: true, transposed: true },
    ],
    ['odd widths without LayerNorm, rows in two workgroups', { epilogue: 'residual', rows: 70, k: 23, n: 11, bias: true, norm: false }],
    ['GELU without LayerNorm, B not a multiple of the fragment', { epilogue: 'gelu', rows: 9, k: 300, n: 24, bias: true, norm: false }],
  ];
  it("the H200's forms (16×16, subgroups of 32; B = 1, 32, 64) pass the shader compiler, which cannot run them here", async () => {
    const errors: string[] = [];
    for (const rows of [1, 32, 64]) {
      const plan = rowsTcPlan(NVIDIA_TC_SHAPE, rows, 32768)!;
      for (const [epilogue, bias, norm, vec] of [
        ['store', true, true, true],
        ['gelu', true, true, false],
        ['residual', true, false, true],
        ['store', false, true, true],
      ] as const) {
        const info = await tc.device.createShaderModule({ code: rowsLinearTcWgsl(plan, epilogue, bias, norm, vec) }).getCompilationInfo();
        errors.push(...info.messages.filter((m) => m.type === 'error').map((m) => `${rows} ${epilogue}: ${m.message}`));
      }
    }
    expect(errors).toEqual([]);
  });

  for (const [name, c] of cases) {
    it(name, async () => {
      const r = await check(c);
      console.log(JSON.stringify({ case: name, ...r }));
      expect(r.worst).toBeLessThanOrEqual(1);
      // It follows the f16-rounded operands, not the f32 ones (an fp32 kernel would pass the bound too).
      expect(r.offUnrounded).toBeGreaterThan(8 * r.offRounded);
    });
  }
});
