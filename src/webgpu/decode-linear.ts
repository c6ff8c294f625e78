/**
 * The decode step's linears (decode.ts) in either precision: fp32 (rows-linear.ts, the default) or, under mixed
 * precision on a device with subgroup matrices, the tensor-core form (rows-linear-tc.ts) reading f16 panel copies
 * of the weights. Both take the same weights by parameter name; whatever a form needs made from them first (Q, K
 * and V packed side by side, the f16 copies) becomes setup commands, run once per decoder, i.e. per sample()
 * call, from the fp32 master weights as they are then: a copy is never older than the call that reads it.
 * ASYMFLOW_DECODE_TC=0 keeps the fp32 linears under mixed precision (A/B runs).
 */
import { pipeline, type Backend } from './raw.ts';
import { COLS, PACK3_WGSL, ROWS, rowsLinearWgsl, type Epilogue } from './rows-linear.ts';
import { panelDepth, panelHalves, panelWgsl, rowsLinearTcWgsl, rowsTcPlan, type RowsTcPlan } from './rows-linear-tc.ts';
import { TC_FEATURES, tcShape } from './tc-shape.ts';
import { mixedPrecision } from './update-switches.ts';

export type Command = { pipeline: GPUComputePipeline; group: GPUBindGroup; x: number; y: number };

/** model/layers.ts layerNorm's eps as the bits of an f32, for a u32 uniform word. */
const EPS_BITS = new Uint32Array(Float32Array.of(1e-5).buffer)[0];

/**
 * The tensor-core form for `batch` rows on this device, or undefined for fp32: mixed precision on (the backend
 * found the features and runs its matmuls on the tensor cores), the features on this device, a form that fits
 * its workgroup memory, and ASYMFLOW_DECODE_TC not 0.
 */
export function decodeTcPlan(device: GPUDevice, batch: number): RowsTcPlan | undefined {
  if (!mixedPrecision() || process.env.ASYMFLOW_DECODE_TC === '0') return undefined;
  if (TC_FEATURES.some((f) => !device.features.has(f))) return undefined;
  return rowsTcPlan(tcShape(), batch, device.limits.maxComputeWorkgroupStorageSize);
}

/** What a decoder lends its linears: the parameters' buffers, its pooled scratch buffers, uniforms, bind groups. */
export interface DecoderParts {
  readonly b: Backend;
  readonly batch: number;
  weight(name: string): GPUBuffer;
  scratch(bytes: number): GPUBuffer;
  u32(...words: number[]): GPUBuffer;
  command(p: GPUComputePipeline, buffers: GPUBuffer[], x: number, y?: number): Command;
}

/** A weight as this precision's kernel reads it: fp32 [k, n] ([n, k] when `transposed`), or the f16 panel copy. */
export interface LinearWeight {
  readonly buffer: GPUBuffer;
  readonly k: number;
  readonly n: number;
  readonly transposed: boolean;
}

export class DecodeLinears {
  /** Commands to run before the first step (once per decoder). */
  readonly setup: Command[] = [];
  private readonly uniforms = new Map<string, GPUBuffer>();

  /** `tc`: the tensor-core form (decodeTcPlan), else fp32. */
  constructor(
    private readonly parts: DecoderParts,
    private readonly tc: RowsTcPlan | undefined,
  ) {}

  /**
   * Parameters `names` as one [k, names.length · n] weight (Q, K and V side by side), each stored [k, n] or, with
   * `transposed`, [n, k] (the tied head's tokEmb [V, d]; one name only in fp32).
   */
  weight(names: readonly string[], k: number, n: number, transposed = false): LinearWeight {
    const { b, weight } = this.parts;
    const sources = names.map(weight);
    if (!this.tc) {
      if (names.length === 1) return { buffer: sources[0], k, n, transposed };
      if (transposed) throw new Error('DecodeLinears: packed weights are stored [k, n]');
      return { buffer: this.pack(sources, k, n), k, n: 3 * n, transposed: false };
    }
    const parts = names.length;
    const halves = panelHalves(this.tc, k, parts * n);
    const panel = this.parts.scratch(2 * halves);
    const copy = pipeline(b, `decodePanel:${this.tc.cols}`, () => panelWgsl(this.tc!.cols));
    const kPad = panelDepth(this.tc, k);
    const u = this.parts.u32(k, n, parts, transposed ? 1 : 0, kPad, Math.ceil((parts * n) / this.tc.cols), 0, 0);
    const groups = Math.ceil(halves / 256);
    const x = Math.min(groups, b.device.limits.maxComputeWorkgroupsPerDimension);
    while (sources.length < 3) sources.push(sources[0]);
    this.setup.push(this.parts.command(copy, [panel, ...sources, u], x, Math.ceil(groups / x)));
    return { buffer: panel, k, n: parts * n, transposed: false };
  }

  /** Biases `names` as one vector (Q, K and V side by side). */
  bias(names: readonly string[], n: number): GPUBuffer {
    const sources = names.map(this.parts.weight);
    return sources.length === 1 ? sources[0] : this.pack(sources, 1, n);
  }

  /** out (epilogue) input·W (+ bias), input LayerNormed first by `norm` (a parameter prefix) when given. */
  linear(epilogue: Epilogue, out: GPUBuffer, input: GPUBuffer, w: LinearWeight, bias: GPUBuffer | undefined, norm?: string): Command {
    const { b, batch } = this.parts;
    const { k, n } = w;
    const extra = [...(bias ? [bias] : []), ...(norm ? [this.parts.weight(`${norm}.g`), this.parts.weight(`${norm}.b`)] : [])];
    const form = `${epilogue}:${bias !== undefined}:${norm !== undefined}`;
    if (!this.tc) {
      const p = pipeline(b, `decodeLinear:${epilogue}:${w.transposed}:${bias !== undefined}:${norm !== undefined}`, () =>
        rowsLinearWgsl(epilogue, w.transposed, bias !== undefined, norm !== undefined),
      );
      const u = this.uniform(`${k}:${n}`, () => this.parts.u32(batch, k, n, EPS_BITS));
      return this.parts.command(p, [out, input, w.buffer, ...extra, u], Math.ceil(n / COLS), Math.ceil(batch / ROWS));
    }
    const plan = this.tc;
    const vec = k % 4 === 0;
    const p = pipeline(b, `decodeLinearTc:${form}:${vec}:${plan.size}x${plan.subgroup}:${plan.rf}:${plan.kf}`, () =>
      rowsLinearTcWgsl(plan, epilogue, bias !== undefined, norm !== undefined, vec),
    );
    const u = this.uniform(`tc:${k}:${n}`, () => this.parts.u32(batch, k, n, EPS_BITS, panelDepth(plan, k), 0, 0, 0));
    return this.parts.command(p, [out, input, w.buffer, ...extra, u], Math.ceil(n / plan.cols), Math.ceil(batch / plan.rows));
  }

  /** Three [rows, n] matrices side by side into one [rows, 3n] fp32 buffer, by a setup command. */
  private pack(sources: GPUBuffer[], rows: number, n: number): GPUBuffer {
    const out = this.parts.scratch(4 * 3 * rows * n);
    const p = pipeline(this.parts.b, 'decodePack3', PACK3_WGSL);
    this.setup.push(
      this.parts.command(p, [out, ...sources, this.uniform(`pack:${rows}:${n}`, () => this.parts.u32(rows, n, 0, 0))], Math.ceil((3 * rows * n) / 256)),
    );
    return out;
  }

  private uniform(key: string, make: () => GPUBuffer): GPUBuffer {
    let u = this.uniforms.get(key);
    if (!u) this.uniforms.set(key, (u = make()));
    return u;
  }
}
