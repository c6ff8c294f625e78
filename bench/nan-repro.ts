/**
 * Standalone repro of the NaN seen with tfjs-webgpu on the H100 (issue 8): a small transformer with a fused
 * QKV projection split by 5-D ops, an additive −1e9 causal mask, logSoftmax + oneHot cross entropy and
 * Adam at lr 3e-4. Trains each variant for --steps on the chosen backend, and, with --check, replays every
 * kernel of a step on a reference backend with the same inputs (bench/op-check.ts) to name the op that
 * differs.
 *
 *   npx tsx bench/nan-repro.ts --backend webgpu --variants fused5t,fused,separate --steps 30 \
 *       --batch 8 --text 128 --d 128 --layers 2 --heads 4 --check first-nan --ref cpu
 *
 * Variants: fused5t = qkv.reshape([B,T,3,H,dh]).transpose([2,0,3,1,4]) then slice/squeeze axis 0 (PyTorch's
 * permute(2,0,3,1,4)); fused = reshape 5-D, slice/squeeze axis 2, 4-D transpose; separate = three
 * projections and 4-D reshapes. --mask additive|where (where = tf.where on a boolean mask, no −1e9).
 */
import * as tf from '@tensorflow/tfjs';
import { resolveBackend } from '../src/backend/index.ts';
import { Rng } from '../src/rng.ts';
import { KernelRecorder, formatDiff, type KernelDiff } from './op-check.ts';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = argv.indexOf('--' + name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};
const cfg = {
  B: Number(arg('batch', '8')),
  T: Number(arg('text', '128')),
  D: Number(arg('d', '128')),
  L: Number(arg('layers', '2')),
  H: Number(arg('heads', '4')),
  V: Number(arg('vocab', '64')),
};
const steps = Number(arg('steps', '30'));
const lr = Number(arg('lr', '3e-4'));
const variants = arg('variants', 'fused5t,fused,separate').split(',') as Variant[];
const maskKind = arg('mask', 'additive') as 'additive' | 'where';
/** none | first-nan | every | <step number> */
const check = arg('check', 'first-nan');
const refName = arg('ref', 'cpu');
const skip = new Set(arg('skip', '').split(',').filter(Boolean));
const threshold = Number(arg('rel', '1e-3'));

type Variant = 'fused5t' | 'fused' | 'separate';
type Params = Record<string, tf.Variable>;

function initParams(variant: Variant, seed: number): Params {
  const rng = new Rng(seed);
  const { D, L, V, T } = cfg;
  const p: Params = {};
  const normal = (name: string, shape: number[], std: number) => {
    const v = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < v.length; i++) v[i] = rng.normal() * std;
    p[name] = tf.variable(tf.tensor(v, shape), true, name);
  };
  const fill = (name: string, shape: number[], value: number) => (p[name] = tf.variable(tf.fill(shape, value), true, name));
  normal('wte', [V, D], 0.02);
  normal('wpe', [T, D], 0.02);
  for (let l = 0; l < L; l++) {
    fill(`ln1g${l}`, [D], 1);
    fill(`ln1b${l}`, [D], 0);
    fill(`ln2g${l}`, [D], 1);
    fill(`ln2b${l}`, [D], 0);
    if (variant === 'separate') for (const m of ['q', 'k', 'v']) normal(`w${m}${l}`, [D, D], 0.02);
    else normal(`wqkv${l}`, [D, 3 * D], 0.02);
    fill(`bqkv${l}`, [3 * D], 0);
    normal(`wo${l}`, [D, D], 0.02 / Math.sqrt(2 * L));
    normal(`w1${l}`, [D, 4 * D], 0.02);
    fill(`b1${l}`, [4 * D], 0);
    normal(`w2${l}`, [4 * D, D], 0.02 / Math.sqrt(2 * L));
    fill(`b2${l}`, [D], 0);
  }
  fill('lnfg', [D], 1);
  fill('lnfb', [D], 0);
  normal('wout', [D, V], 0.02);
  return p;
}

function layerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true); // [..., 1]
  return x.sub(mean).div(variance.add(1e-5).sqrt()).mul(g).add(b); // [..., D]
}

/** Splits the attention input into q, k, v: [B, H, T, dh] each. */
function qkvHeads(variant: Variant, p: Params, l: number, h: tf.Tensor): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const { B, T, D, H } = cfg;
  const dh = D / H;
  const h2 = h.reshape([B * T, D]); // [BT, D]
  if (variant === 'separate') {
    const bias = tf.split(p[`bqkv${l}`], 3); // 3 × [D]
    const heads = ['q', 'k', 'v'].map(
      (m, i) => h2.matMul(p[`w${m}${l}`]).add(bias[i]).reshape([B, T, H, dh]).transpose([0, 2, 1, 3]), // [B, H, T, dh]
    );
    return heads as [tf.Tensor, tf.Tensor, tf.Tensor];
  }
  const qkv = h2.matMul(p[`wqkv${l}`]).add(p[`bqkv${l}`]).reshape([B, T, 3, H, dh]); // [B, T, 3, H, dh]
  if (variant === 'fused5t') {
    const t = qkv.transpose([2, 0, 3, 1, 4]); // [3, B, H, T, dh]
    const part = (i: number) => t.slice([i, 0, 0, 0, 0], [1, B, H, T, dh]).squeeze([0]); // [B, H, T, dh]
    return [part(0), part(1), part(2)];
  }
  const part = (i: number) => qkv.slice([0, 0, i, 0, 0], [B, T, 1, H, dh]).squeeze([2]).transpose([0, 2, 1, 3]); // [B, H, T, dh]
  return [part(0), part(1), part(2)];
}

function lossOf(variant: Variant, p: Params, ids: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  const { B, T, D, L, H, V } = cfg;
  const dh = D / H;
  // oneHot·matMul, not gather: gather's gradient (UnsortedSegmentSum) has no wasm kernel.
  let x = tf
    .oneHot(ids.reshape([-1]) as tf.Tensor1D, V)
    .matMul(p.wte)
    .reshape([B, T, D])
    .add(p.wpe); // [B, T, D]
  const causal = tf.linalg.bandPart(tf.ones([T, T]), -1, 0); // [T, T] 1 on/below diagonal
  const additive = tf.sub(1, causal).mul(-1e9); // [T, T] 0 / −1e9
  for (let l = 0; l < L; l++) {
    const [q, k, v] = qkvHeads(variant, p, l, layerNorm(x, p[`ln1g${l}`], p[`ln1b${l}`]));
    let scores = q.matMul(k, false, true).mul(1 / Math.sqrt(dh)); // [B, H, T, T]
    scores = maskKind === 'where' ? tf.where(causal.cast('bool'), scores, tf.fill([T, T], -1e9)) : scores.add(additive);
    const y = tf.softmax(scores).matMul(v); // [B, H, T, dh]
    const merged = y.transpose([0, 2, 1, 3]).reshape([B * T, D]); // [BT, D]
    x = x.add(merged.matMul(p[`wo${l}`]).reshape([B, T, D])); // [B, T, D]
    const h = layerNorm(x, p[`ln2g${l}`], p[`ln2b${l}`]).reshape([B * T, D]); // [BT, D]
    const mlp = tf
      .relu(h.matMul(p[`w1${l}`]).add(p[`b1${l}`]))
      .matMul(p[`w2${l}`])
      .add(p[`b2${l}`]); // [BT, D]
    x = x.add(mlp.reshape([B, T, D]));
  }
  const logits = layerNorm(x, p.lnfg, p.lnfb)
    .reshape([B * T, D])
    .matMul(p.wout); // [BT, V]
  const onehot = tf.oneHot(targets.reshape([-1]) as tf.Tensor1D, V); // [BT, V]
  return tf.logSoftmax(logits).mul(onehot).sum(-1).mean().neg() as tf.Scalar;
}

/** Step s's batch: ids follow a learnable rule (next = (prev * 5 + 3) mod V, with noise) so loss falls. */
function batch(step: number): [tf.Tensor2D, tf.Tensor2D] {
  const rng = new Rng(1000 + step);
  const { B, T, V } = cfg;
  const seq = new Int32Array(B * (T + 1));
  for (let b = 0; b < B; b++) {
    let t0 = rng.int(V);
    for (let t = 0; t <= T; t++) {
      seq[b * (T + 1) + t] = t0;
      t0 = rng.next() < 0.9 ? (t0 * 5 + 3) % V : rng.int(V);
    }
  }
  const all = tf.tensor2d(seq, [B, T + 1], 'int32');
  const ids = all.slice([0, 0], [B, T]) as tf.Tensor2D;
  const targets = all.slice([0, 1], [B, T]) as tf.Tensor2D;
  all.dispose();
  return [ids, targets];
}

async function run(variant: Variant, recorder: KernelRecorder | undefined): Promise<string> {
  const params = initParams(variant, 7);
  const optimizer = tf.train.adam(lr);
  const losses: number[] = [];
  let firstNan = -1;
  let errorsBefore = backend.gpuErrors().length;
  let checked = false;
  for (let step = 0; step < steps; step++) {
    const [ids, targets] = batch(step);
    const wantCheck = recorder && (check === 'every' || check === String(step));
    if (wantCheck) recorder.arm();
    const { value, grads } = tf.variableGrads(() => lossOf(variant, params, ids, targets));
    // Pairwise adds, not tf.addN: webgpu's AddN binds every input at once and fails validation past
    // maxStorageBuffersPerShaderStage − 1 inputs.
    const gradNorm = tf.tidy(() =>
      Object.values(grads)
        .map((g) => g.square().sum())
        .reduce((a, b) => a.add(b))
        .sqrt(),
    );
    optimizer.applyGradients(grads as tf.NamedTensorMap as Record<string, tf.Variable>);
    const [loss, norm] = [(await value.data())[0], (await gradNorm.data())[0]];
    if (wantCheck) {
      recorder.disarm();
      report(variant, step, await recorder.compare(refName, skip));
      checked = true;
    }
    tf.dispose([value, gradNorm, ids, targets, ...Object.values(grads)]);
    losses.push(loss);
    const maxW = Math.max(...(await Promise.all(Object.values(params).map(async (v) => (await v.abs().max().data())[0]))));
    const errs = backend.gpuErrors().length - errorsBefore;
    errorsBefore = backend.gpuErrors().length;
    console.log(
      `${variant} step ${step} loss ${loss.toFixed(5)} gradNorm ${norm.toExponential(3)} max|w| ${maxW.toExponential(3)}` +
        (errs ? ` webgpu errors ${errs}` : ''),
    );
    if (!Number.isFinite(loss) || !Number.isFinite(norm)) {
      firstNan = step;
      break;
    }
  }
  // The step where it went NaN, replayed from the weights just before it is not possible after Adam
  // already applied non-finite grads, so first-nan re-runs the variant and checks that step's kernels.
  if (recorder && check === 'first-nan' && firstNan >= 0 && !checked) {
    tf.dispose([...Object.values(params)]);
    optimizer.dispose();
    return run2(variant, recorder, firstNan, losses);
  }
  tf.dispose([...Object.values(params)]);
  optimizer.dispose();
  return `${variant}: ${firstNan >= 0 ? `NaN at step ${firstNan}` : `finite for ${steps} steps`}, loss ${losses[0]?.toFixed(4)} → ${losses.at(-1)?.toFixed(4)}`;
}

/** Replays a run up to `nanStep` and checks every kernel of that step (and the one before). */
async function run2(variant: Variant, recorder: KernelRecorder, nanStep: number, first: number[]): Promise<string> {
  const params = initParams(variant, 7);
  const optimizer = tf.train.adam(lr);
  const losses: number[] = [];
  for (let step = 0; step <= nanStep; step++) {
    const [ids, targets] = batch(step);
    const wantCheck = step >= nanStep - 1;
    if (wantCheck) recorder.arm();
    const { value, grads } = tf.variableGrads(() => lossOf(variant, params, ids, targets));
    optimizer.applyGradients(grads as tf.NamedTensorMap as Record<string, tf.Variable>);
    losses.push((await value.data())[0]);
    if (wantCheck) {
      recorder.disarm();
      report(variant, step, await recorder.compare(refName, skip));
    }
    tf.dispose([value, ids, targets, ...Object.values(grads)]);
  }
  tf.dispose([...Object.values(params)]);
  optimizer.dispose();
  const same = losses.every((l, i) => Object.is(l, first[i]) || l === first[i]);
  return `${variant}: NaN at step ${nanStep}; replay ${same ? 'reproduced the same losses' : `gave losses ${losses.map((l) => l.toFixed(4)).join(' ')}`}`;
}

function report(variant: string, step: number, diffs: KernelDiff[]): void {
  const bad = diffs.filter((d) => !(d.rel <= threshold) || d.testNonFinite !== d.refNonFinite);
  const worst = [...diffs].sort((a, b) => b.rel - a.rel).slice(0, 5);
  console.log(`${variant} step ${step} op-check vs ${refName}: ${diffs.length} kernel outputs, ${bad.length} over rel ${threshold}`);
  for (const d of bad.slice(0, 12)) console.log('  MISMATCH ' + formatDiff(d));
  if (bad.length === 0) for (const d of worst) console.log('  worst    ' + formatDiff(d));
}

const reference = await resolveBackend(refName);
const backend = await resolveBackend(arg('backend', 'webgpu'));
const recorder = check === 'none' ? undefined : new KernelRecorder(backend.name, arg('isolate', 'true') === 'true');
recorder?.install();
console.log(JSON.stringify({ what: 'nan-repro', backend: backend.name, device: backend.device, ref: reference.name, ...cfg, steps, lr, mask: maskKind }));
const lines: string[] = [];
for (const v of variants) lines.push(await run(v, recorder));
for (const l of lines) console.log('RESULT ' + l);
const distinct = [...new Set(backend.gpuErrors().map((e) => e.split('\n').find((l) => l.trim()) ?? e))];
console.log(`RESULT webgpu errors: ${backend.gpuErrors().length}${distinct.length ? ' — ' + distinct.join(' | ') : ''}`);
await backend.dispose();
