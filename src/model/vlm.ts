/**
 * The small VLM's parameters (docs/architecture.md §4): named tf.Variables, created deterministically from a seed on the
 * CPU side (the same seed gives the same weights on every backend). Layout:
 *   patch.w [patchDim, d], patch.b [d]      linear patch embedding
 *   patchPos [P, d]                         image prefix positions
 *   tokEmb [V, d], textPos [maxText, d]     token and text-position embeddings
 *   blocks.i.{ln1,ln2}.{g,b} [d]            pre-norm LayerNorms
 *   blocks.i.attn.{q,k,v,o}.w [d, d], .b [d] separate projections (no fused QKV)
 *   blocks.i.mlp.fc.w [d, f·d], .b; blocks.i.mlp.proj.w [f·d, d], .b
 *   lnf.{g,b} [d]; head.w [d, V] only when the head is untied
 *   gridRow, gridCol (, gridBox) [side, d] only with the caption grid (caption-grid.ts)
 * Short names (above) are the checkpoint keys; the tf.Variable names carry a per-model prefix so a policy
 * and a frozen reference can live in one process.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng.ts';
import { patchCount, patchDim, type ModelConfig } from './config.ts';

export interface Vlm {
  readonly config: ModelConfig;
  /** Short name → variable, in sorted name order (the order of checkpoints and weightsSha256). */
  readonly params: ReadonlyMap<string, tf.Variable>;
  readonly id: string; // the tf.Variable name prefix
}

type Init = { shape: number[]; kind: 'normal' | 'zeros' | 'ones'; std?: number };

/** Every parameter's shape and initialiser, by short name. */
function layout(c: ModelConfig): Map<string, Init> {
  const f = c.ffnMult * c.d;
  const w = (shape: number[], std = c.initStd): Init => ({ shape, kind: 'normal', std });
  const zeros = (n: number): Init => ({ shape: [n], kind: 'zeros' });
  const ones = (n: number): Init => ({ shape: [n], kind: 'ones' });
  const residualStd = c.initStd / Math.sqrt(2 * c.layers); // GPT-2: scale the projections into the residual
  const out = new Map<string, Init>([
    ['patch.w', w([patchDim(c), c.d])],
    ['patch.b', zeros(c.d)],
    ['patchPos', w([patchCount(c), c.d])],
    ['tokEmb', w([c.vocab, c.d])],
    ['textPos', w([c.maxText, c.d])],
    ['lnf.g', ones(c.d)],
    ['lnf.b', zeros(c.d)],
  ]);
  if (!c.tiedHead) out.set('head.w', w([c.d, c.vocab]));
  if (c.gridStart > 0) {
    const side = c.inputSize / c.patch;
    out.set('gridRow', w([side, c.d])).set('gridCol', w([side, c.d])); // caption-grid.ts cell embeddings
    if (Number.isInteger(Math.sqrt(side))) out.set('gridBox', w([side, c.d]));
  }
  for (let i = 0; i < c.layers; i++) {
    const p = `blocks.${i}.`;
    out.set(`${p}ln1.g`, ones(c.d)).set(`${p}ln1.b`, zeros(c.d));
    out.set(`${p}ln2.g`, ones(c.d)).set(`${p}ln2.b`, zeros(c.d));
    for (const proj of ['q', 'k', 'v']) out.set(`${p}attn.${proj}.w`, w([c.d, c.d])).set(`${p}attn.${proj}.b`, zeros(c.d));
    out.set(`${p}attn.o.w`, w([c.d, c.d], residualStd)).set(`${p}attn.o.b`, zeros(c.d));
    out.set(`${p}mlp.fc.w`, w([c.d, f])).set(`${p}mlp.fc.b`, zeros(f));
    out.set(`${p}mlp.proj.w`, w([f, c.d], residualStd)).set(`${p}mlp.proj.b`, zeros(c.d));
  }
  return out;
}

let nextModelId = 0;

/** A fresh model with weights drawn from `seed` (values computed in JS, then uploaded). */
export function createVlm(config: ModelConfig, seed: number | string = 0): Vlm {
  const rng = new Rng(seed).split('init');
  const id = `vlm${nextModelId++}`;
  const params = new Map<string, tf.Variable>();
  for (const [name, init] of [...layout(config)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const size = init.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (init.kind === 'ones') values.fill(1);
    if (init.kind === 'normal') for (let i = 0; i < size; i++) values[i] = rng.normal() * (init.std ?? 0);
    const initial = tf.tensor(values, init.shape, 'float32'); // init.shape
    params.set(name, tf.variable(initial, true, `${id}/${name}`)); // init.shape, shares initial's data
    initial.dispose();
  }
  return { config, params, id };
}

/** Parameter count of a config without building it. */
export function parameterCount(config: ModelConfig): number {
  let n = 0;
  for (const init of layout(config).values()) n += init.shape.reduce((a, b) => a * b, 1);
  return n;
}

/** The variable called `name`; throws naming the model and the name when absent. */
export function param(model: Vlm, name: string): tf.Variable {
  const v = model.params.get(name);
  if (!v) throw new Error(`model ${model.id} has no parameter '${name}'`);
  return v;
}

/** Frees every variable of the model. */
export function disposeVlm(model: Vlm): void {
  for (const v of model.params.values()) v.dispose();
}

/** Copies weights from `from` into `to` (same config), e.g. to freeze a reference policy. */
export function copyWeights(from: Vlm, to: Vlm): void {
  for (const [name, v] of from.params) param(to, name).assign(v);
}
