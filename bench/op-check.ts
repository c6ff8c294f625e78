/**
 * Kernel-level differential check: while armed, every kernel the engine runs on the active backend is
 * recorded with its inputs and outputs (kept alive by an extra reference); `compare()` then reads them back
 * and re-runs each kernel on a reference backend (cpu or wasm) with the SAME input values, so each op is
 * judged on its own — a wrong kernel shows up even when everything after it inherits its error.
 */
import * as tf from '@tensorflow/tfjs';

type Info = { dataId: object; shape: number[]; dtype: tf.DataType };
type Values = Float32Array | Int32Array | Uint8Array;

interface Snap {
  readonly shape: number[];
  readonly dtype: tf.DataType;
  readonly values: Promise<Values>;
}

interface Call {
  readonly index: number;
  readonly kernel: string;
  readonly inputs: [string, Snap][];
  /** Pack, Concat and AddN take an array of inputs, the rest a named map. */
  readonly inputsArray: boolean;
  readonly attrs: tf.NamedAttrMap;
  readonly outputs: Snap[];
}

export interface KernelDiff {
  readonly index: number;
  readonly kernel: string;
  readonly inShapes: string;
  readonly outShape: string;
  /** max |test − ref| / max(max |ref|, max |input|) over the output; Infinity when finiteness differs */
  readonly rel: number;
  readonly maxAbs: number;
  readonly refMaxAbs: number;
  readonly testNonFinite: number;
  readonly refNonFinite: number;
  /** first offending flat index in the output (first finiteness mismatch, else largest error) */
  readonly worstAt: number;
  readonly testValue: number;
  readonly refValue: number;
}

type Readable = tf.KernelBackend & {
  readSync(id: object): Values;
  read(id: object): Promise<Values>;
  incRef(id: object): void;
  disposeData(id: object): boolean;
};

export class KernelRecorder {
  private calls: Call[] = [];
  private armed = false;

  /**
   * `isolate` submits after every snapshot copy, so each kernel runs in its own command buffer: an invalid
   * pipeline then loses only its own output instead of its whole batch (which would also lose the copies).
   */
  constructor(
    private readonly backendName: string,
    private readonly isolate = true,
  ) {}

  /**
   * Wraps every kernel registered for the backend; call once, before arming. Values are snapshotted when
   * the kernel runs (a later read could see a buffer that was freed and reused): synchronously on cpu and
   * wasm; on webgpu by encoding a buffer copy in queue order, without submitting, so the backend's command
   * batching is the same as in an unrecorded step.
   */
  install(): void {
    const backend = () => tf.findBackend(this.backendName) as unknown as Readable;
    const snap = (t: Info): Snap => {
      const b = backend();
      if (this.backendName !== 'webgpu') return { shape: t.shape, dtype: t.dtype, values: Promise.resolve(b.readSync(t.dataId).slice() as Values) };
      return { shape: t.shape, dtype: t.dtype, values: gpuSnapshot(b as unknown as WebGpuInternals, t, this.isolate) };
    };
    for (const config of tf.getKernelsForBackend(this.backendName)) {
      const original = config.kernelFunc;
      tf.unregisterKernel(config.kernelName, this.backendName);
      tf.registerKernel({
        ...config,
        kernelFunc: (args) => {
          const inputs = this.armed
            ? Object.entries(args.inputs as Record<string, Info>)
                .filter(([, t]) => t != null)
                .map(([n, t]) => [n, snap(t)] as [string, Snap])
            : [];
          const out = original(args) as Info | Info[];
          if (this.armed) {
            const outs = (Array.isArray(out) ? out : [out]).map(snap);
            this.calls.push({
              index: this.calls.length,
              kernel: config.kernelName,
              inputs,
              inputsArray: Array.isArray(args.inputs),
              attrs: { ...args.attrs },
              outputs: outs,
            });
          }
          return out as tf.TensorInfo;
        },
      });
    }
  }

  arm(): void {
    this.calls = [];
    this.armed = true;
  }

  disarm(): number {
    this.armed = false;
    return this.calls.length;
  }

  /**
   * Re-runs each recorded call on `refName` with the recorded input values and returns one diff per kernel
   * output, in execution order. `skip` names kernels not to replay (e.g. BatchMatMul where the reference
   * is too slow).
   */
  async compare(refName: string, skip: ReadonlySet<string> = new Set()): Promise<KernelDiff[]> {
    const ref = tf.findBackend(refName) as unknown as Readable & { disposeData(id: object): boolean };
    if (!ref) throw new Error(`reference backend '${refName}' is not initialised`);
    const diffs: KernelDiff[] = [];
    for (const call of this.calls) {
      const kernel = tf.getKernel(call.kernel, refName);
      if (!kernel || skip.has(call.kernel)) continue;
      const refInputs: Record<string, tf.TensorInfo> = {};
      for (const [name, t] of call.inputs) {
        const dataId = ref.write((await t.values).slice(), t.shape, t.dtype);
        refInputs[name] = { dataId, shape: t.shape, dtype: t.dtype };
      }
      const inputs = call.inputsArray ? Object.values(refInputs) : refInputs;
      const refOut = kernel.kernelFunc({ inputs: inputs as tf.NamedTensorInfoMap, backend: ref, attrs: call.attrs }) as tf.TensorInfo | tf.TensorInfo[];
      const refOuts = Array.isArray(refOut) ? refOut : [refOut];
      for (let i = 0; i < call.outputs.length; i++) {
        const testOut = call.outputs[i];
        if (testOut.dtype === 'string' || testOut.dtype === 'complex64') continue;
        const inScale = Math.max(0, ...(await Promise.all(call.inputs.map(async ([, t]) => maxAbsOf(await t.values)))));
        diffs.push(diffOf(call, testOut, await testOut.values, ref.readSync(refOuts[i].dataId) as Values, inScale));
      }
      for (const t of refOuts) ref.disposeData(t.dataId);
      for (const t of Object.values(refInputs)) ref.disposeData(t.dataId);
    }
    this.calls = [];
    return diffs;
  }
}

/** The parts of tfjs-webgpu's backend a snapshot needs (internal API of 4.22). */
interface WebGpuInternals {
  device: GPUDevice;
  commandEncoder: GPUCommandEncoder | null;
  tensorMap: { get(id: object): { values?: Values | null; resource?: GPUBuffer | null; dtype: tf.DataType } };
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

function gpuSnapshot(b: WebGpuInternals, t: Info, isolate: boolean): Promise<Values> {
  const data = b.tensorMap.get(t.dataId);
  if (data.values != null) {
    const v = data.values;
    return Promise.resolve(t.dtype === 'float32' && !(v instanceof Float32Array) ? Float32Array.from(v) : (v.slice() as Values));
  }
  const src = data.resource as GPUBuffer;
  const storedDtype = data.dtype;
  const copy = b.device.createBuffer({ size: src.size, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
  b.ensureCommandEncoderReady();
  b.endComputePassEncoder();
  b.commandEncoder!.copyBufferToBuffer(src, 0, copy, 0, src.size);
  if (isolate) b.submitQueue();
  let result: Promise<Values> | undefined;
  // Deferred: the first await (in compare) submits whatever the step left unsubmitted, then maps.
  return {
    then(onok, onerr) {
      result ??= (async () => {
        if (b.commandEncoder) b.submitQueue();
        await copy.mapAsync(GPUMapMode.READ);
        const bytes = copy.getMappedRange().slice(0);
        copy.destroy();
        const n = t.shape.reduce((a, c) => a * c, 1);
        // The buffer holds the backend's dtype, which a lossless Cast (int32 → float32) leaves unchanged.
        const stored = storedDtype === 'float32' ? new Float32Array(bytes, 0, n) : new Int32Array(bytes, 0, n);
        if (t.dtype === 'float32') return stored instanceof Float32Array ? stored : Float32Array.from(stored);
        return t.dtype === 'bool' ? Uint8Array.from(stored) : Int32Array.from(stored);
      })();
      return result.then(onok, onerr);
    },
  } as Promise<Values>;
}

function maxAbsOf(v: Values): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) if (Number.isFinite(v[i])) m = Math.max(m, Math.abs(v[i]));
  return m;
}

/** `inScale` (largest finite input magnitude) keeps cancellation in sums from reading as a wrong kernel. */
function diffOf(call: Call, out: Snap, got: Values, want: Values, inScale: number): KernelDiff {
  let maxAbs = 0,
    refMax = 0,
    worst = -1,
    testNF = 0,
    refNF = 0,
    firstNFMismatch = -1;
  for (let i = 0; i < want.length; i++) {
    const a = got[i],
      b = want[i];
    const fa = Number.isFinite(a),
      fb = Number.isFinite(b);
    if (!fa) testNF++;
    if (!fb) refNF++;
    if (fa !== fb && firstNFMismatch < 0) firstNFMismatch = i;
    if (fa && fb) {
      const d = Math.abs(a - b);
      if (d > maxAbs) ((maxAbs = d), (worst = i));
      refMax = Math.max(refMax, Math.abs(b));
    }
  }
  const at = firstNFMismatch >= 0 ? firstNFMismatch : Math.max(worst, 0);
  const rel = firstNFMismatch >= 0 ? Infinity : maxAbs / Math.max(refMax, inScale, 1e-30);
  return {
    index: call.index,
    kernel: call.kernel,
    inShapes: call.inputs.map(([n, t]) => `${n}[${t.shape.join(',')}]`).join(' '),
    outShape: `[${out.shape.join(',')}]`,
    rel,
    maxAbs,
    refMaxAbs: refMax,
    testNonFinite: testNF,
    refNonFinite: refNF,
    worstAt: at,
    testValue: got[at] ?? NaN,
    refValue: want[at] ?? NaN,
  };
}

/** One line per diff, for logs. */
export function formatDiff(d: KernelDiff): string {
  return (
    `#${d.index} ${d.kernel} ${d.inShapes} -> ${d.outShape} rel=${d.rel.toExponential(2)} maxAbs=${d.maxAbs.toExponential(2)} ` +
    `|ref|max=${d.refMaxAbs.toExponential(2)} nonFinite test/ref=${d.testNonFinite}/${d.refNonFinite} ` +
    `at ${d.worstAt}: test=${d.testValue} ref=${d.refValue}`
  );
}
