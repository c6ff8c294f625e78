/**
 * Checkpoints (docs/architecture.md §4): weights, AdamW state (m, v, step), model config, RNG states, data cursor and run
 * metadata, so a run resumes exactly. A checkpoint is a directory:
 *   checkpoint.json        the commit point: config, step, rngs, cursor, metadata, tensor index, file hashes
 *   weights-<tag>.bin      float32 little-endian, variables in name order
 *   adamw-<tag>.bin        m then v per variable, same order
 * Every file is written to a temp name, fsynced and renamed; checkpoint.json is renamed last, so a crash at
 * any point leaves the previous checkpoint.json pointing at complete files. Old .bin files go afterwards.
 * Before checkpoint.json commits, every open recording is flushed: the records of the steps a checkpoint
 * covers are on disk whenever the checkpoint is, so a resume after kill -9 finds each of them exactly once.
 */
import { lossScaleOf, restoreLossScale, type LossScaleState } from './loss-scale.ts';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ensureDir, writeFileAtomicAsync as writeAtomic } from '../io/atomic-write.ts';
import { flushOpenRecordings } from '../recording/writer.ts';
import { Rng, type RngState } from '../rng.ts';
import { AdamW, type AdamWConfig } from './adamw.ts';
import { modelConfig, type ModelConfig } from './config.ts';
import { createVlm, param, type Vlm } from './vlm.ts';

const FORMAT = 'asymflow-checkpoint/1';
const MANIFEST = 'checkpoint.json';

export interface CheckpointContents {
  readonly model: Vlm;
  readonly optimizer?: AdamW;
  readonly rngs?: Readonly<Record<string, Rng>>; // every stream the run draws from, by name
  readonly cursor?: unknown; // JSON: the data position (e.g. { epoch, index })
  readonly metadata?: Readonly<Record<string, unknown>>; // JSON: run config, metrics, anything
}

interface TensorEntry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
} // offset/length in float32s
interface Manifest {
  format: string;
  model: ModelConfig;
  tensors: TensorEntry[];
  weights: { file: string; sha256: string };
  // lossScale: mixed precision's (loss-scale.ts); absent in fp32 runs and in checkpoints made before it.
  optimizer: { file: string; sha256: string; config: AdamWConfig; step: number; lossScale?: LossScaleState } | null;
  rngs: Record<string, { seed: number; state: RngState }>;
  cursor: unknown;
  metadata: Record<string, unknown>;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Downloads variables in order into one float32 buffer. */
async function concat(vars: readonly tf.Variable[]): Promise<Float32Array> {
  const parts = await Promise.all(vars.map((v) => v.data() as Promise<Float32Array>));
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

const bytesOf = (f: Float32Array): Uint8Array => new Uint8Array(f.buffer, f.byteOffset, f.byteLength);

/** Hash of all weights: sha256 over (name, shape, float32 bytes) of every variable in name order. */
export async function weightsSha256(model: Vlm): Promise<string> {
  const hash = createHash('sha256');
  for (const [name, v] of model.params) {
    hash.update(`${name}:${v.shape.join('x')};`);
    hash.update(bytesOf((await v.data()) as Float32Array));
  }
  return hash.digest('hex');
}

/** Writes a checkpoint into `dir` (created if needed), replacing the previous one atomically. */
export async function saveCheckpoint(dir: string, contents: CheckpointContents): Promise<void> {
  ensureDir(dir);
  const { model, optimizer } = contents;
  const names = [...model.params.keys()];
  const tensors: TensorEntry[] = [];
  let offset = 0;
  for (const name of names) {
    const v = param(model, name);
    tensors.push({ name, shape: [...v.shape], offset, length: v.size });
    offset += v.size;
  }
  const tag = `${optimizer?.step ?? 0}-${randomBytes(4).toString('hex')}`;
  const weights = bytesOf(await concat(names.map((n) => param(model, n))));
  const weightsFile = `weights-${tag}.bin`;
  await writeAtomic(path.join(dir, weightsFile), weights);
  let optim: Manifest['optimizer'] = null;
  if (optimizer) {
    const state = bytesOf(await concat(names.flatMap((n) => [optimizer.m.get(n)!, optimizer.v.get(n)!])));
    const file = `adamw-${tag}.bin`;
    await writeAtomic(path.join(dir, file), state);
    const lossScale = lossScaleOf(optimizer)?.state();
    optim = { file, sha256: sha256(state), config: optimizer.config, step: optimizer.step, ...(lossScale ? { lossScale } : {}) };
  }
  const manifest: Manifest = {
    format: FORMAT,
    model: model.config,
    tensors,
    weights: { file: weightsFile, sha256: sha256(weights) },
    optimizer: optim,
    rngs: Object.fromEntries(Object.entries(contents.rngs ?? {}).map(([k, r]) => [k, { seed: r.seed, state: r.state() }])),
    cursor: contents.cursor ?? null,
    metadata: { ...(contents.metadata ?? {}) },
  };
  flushOpenRecordings();
  await writeAtomic(path.join(dir, MANIFEST), JSON.stringify(manifest, null, 1));
  const keep = new Set([weightsFile, optim?.file]);
  for (const f of await fs.readdir(dir)) {
    if (/^(weights|adamw)-.*\.bin$/.test(f) && !keep.has(f)) await fs.rm(path.join(dir, f), { force: true });
  }
}

export interface LoadedCheckpoint {
  readonly model: Vlm;
  readonly optimizer?: AdamW; // present when one was saved
  readonly rngs: Record<string, Rng>;
  readonly cursor: unknown;
  readonly metadata: Record<string, unknown>;
}

async function readChecked(dir: string, file: string, expected: string, floats: number): Promise<Float32Array> {
  const where = path.join(dir, file);
  const bytes = await fs.readFile(where).catch((e: Error) => {
    throw new Error(`checkpoint ${where}: cannot read (${e.message})`);
  });
  if (bytes.length !== floats * 4) throw new Error(`checkpoint ${where}: expected ${floats * 4} bytes, found ${bytes.length}`);
  if (sha256(bytes) !== expected) throw new Error(`checkpoint ${where}: sha256 mismatch (file corrupt)`);
  const copy = new Float32Array(floats);
  bytesOf(copy).set(bytes);
  return copy;
}

/** Loads a checkpoint written by saveCheckpoint into a fresh model (and optimizer, when saved). */
export async function loadCheckpoint(dir: string, decays?: (name: string, v: tf.Variable) => boolean): Promise<LoadedCheckpoint> {
  const where = path.join(dir, MANIFEST);
  const text = await fs.readFile(where, 'utf8').catch((e: Error) => {
    throw new Error(`checkpoint ${where}: cannot read (${e.message})`);
  });
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text) as Manifest;
  } catch (e) {
    throw new Error(`checkpoint ${where}: invalid JSON (${(e as Error).message})`);
  }
  if (manifest.format !== FORMAT) throw new Error(`checkpoint ${where}: format ${JSON.stringify(manifest.format)}, expected ${FORMAT}`);
  const model = createVlm(modelConfig(manifest.model));
  const total = manifest.tensors.reduce((n, t) => n + t.length, 0);
  for (const name of model.params.keys()) {
    if (!manifest.tensors.some((t) => t.name === name)) throw new Error(`checkpoint ${where}: no tensor '${name}'`);
  }
  const weights = await readChecked(dir, manifest.weights.file, manifest.weights.sha256, total);
  const assign = (v: tf.Variable, values: Float32Array, shape: number[], name: string) => {
    if (shape.join('x') !== v.shape.join('x')) throw new Error(`checkpoint ${where}: '${name}' has shape [${shape}], model expects [${v.shape}]`);
    const t = tf.tensor(values, shape, 'float32'); // shape
    v.assign(t);
    t.dispose();
  };
  for (const t of manifest.tensors) assign(param(model, t.name), weights.subarray(t.offset, t.offset + t.length), t.shape, t.name);
  let optimizer: AdamW | undefined;
  if (manifest.optimizer) {
    optimizer = new AdamW(model.params, manifest.optimizer.config, decays);
    optimizer.step = manifest.optimizer.step;
    if (manifest.optimizer.lossScale) restoreLossScale(optimizer, manifest.optimizer.lossScale);
    const state = await readChecked(dir, manifest.optimizer.file, manifest.optimizer.sha256, 2 * total);
    for (const t of manifest.tensors) {
      assign(optimizer.m.get(t.name)!, state.subarray(2 * t.offset, 2 * t.offset + t.length), t.shape, `${t.name} adam.m`);
      assign(optimizer.v.get(t.name)!, state.subarray(2 * t.offset + t.length, 2 * (t.offset + t.length)), t.shape, `${t.name} adam.v`);
    }
  }
  const rngs = Object.fromEntries(Object.entries(manifest.rngs).map(([k, r]) => [k, Rng.fromState(r.seed, r.state)]));
  return { model, optimizer, rngs, cursor: manifest.cursor, metadata: manifest.metadata };
}
