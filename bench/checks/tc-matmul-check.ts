/**
 * The tensor-core matmul (src/webgpu/matmul-tc.ts) through matmulOwn on the active webgpu backend under mixed
 * precision, against float64 of its f16-rounded operands (issue 17): every form the model uses — either operand
 * transposed, vec4 and scalar loads, bias, addend, column sums, split-K with its reduce, batches and broadcast
 * weights — at sizes that are not multiples of the tile (odd M/N/K, K below the K step). Used by bench/parity.ts
 * and test/lavapipe (Mesa's lavapipe: 8×8 fragments; the H200: 16×16).
 *
 * Bounds, relative to Σ_k |a·b| + |bias| + |addend| of each output: the products of two f16 values are exact in
 * f32 and the tensor cores accumulate in f32, so the error is f32 accumulation only (2^-24 a step; measured on
 * the H200: 3.7e-7 at 4096³) — TC_MATMUL_REL = 2e-6. Against the f32 operands unrounded the same outputs must be
 * further off than TC_F16_SEEN (f16 keeps 11 bits: ~2^-12 an operand), or the operands were not rounded to f16 and
 * the fp32 kernel ran instead. Column sums are Σ_k B[k, n] of the f32 values (summed before the rounding).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/rng.ts';
import { f16Round } from '../../src/webgpu/f16.ts';
import { matmulOwn, tensorCoreMatmul } from '../../src/webgpu/matmul.ts';
import { splitK } from '../../src/webgpu/matmul-split.ts';
import { tcTileCols, tcTileRows } from '../../src/webgpu/matmul-tc.ts';
import { asTensor, fusedBackend, newOutput, type Info } from '../../src/webgpu/raw.ts';

export const TC_MATMUL_REL = 2e-6;
export const TC_F16_SEEN = 2e-5;

export interface TcMatmulCase {
  readonly name: string;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly tA: boolean;
  readonly tB: boolean;
  /** Batch entries of A and B (1: no batch dimension, broadcast over the other's). */
  readonly batchA?: number;
  readonly batchB?: number;
  readonly bias?: boolean;
  readonly addend?: boolean;
  readonly colSum?: boolean;
}

export const TC_MATMUL_CASES: readonly TcMatmulCase[] = [
  { name: 'NN vec4, bias + addend', m: 100, n: 40, k: 36, tA: false, tB: false, bias: true, addend: true },
  { name: 'NN scalar, odd, K < bk', m: 33, n: 21, k: 19, tA: false, tB: false, bias: true },
  { name: 'TN scalar, colSum', m: 70, n: 90, k: 333, tA: true, tB: false, colSum: true },
  { name: 'TN vec4, colSum + bias', m: 36, n: 132, k: 68, tA: true, tB: false, colSum: true, bias: true },
  { name: 'NT scalar, addend', m: 33, n: 130, k: 65, tA: false, tB: true, addend: true },
  { name: 'NT vec4, addend', m: 132, n: 20, k: 300, tA: false, tB: true, addend: true },
  { name: 'TT odd', m: 17, n: 29, k: 45, tA: true, tB: true },
  { name: 'NN split-K, bias + addend', m: 40, n: 48, k: 1000, tA: false, tB: false, bias: true, addend: true },
  { name: 'TN split-K, colSum (a weight gradient)', m: 24, n: 36, k: 777, tA: true, tB: false, colSum: true },
  { name: 'NN batch 3', m: 20, n: 24, k: 36, tA: false, tB: false, batchA: 3, batchB: 3 },
  { name: 'NT batch 2 × shared B', m: 18, n: 16, k: 27, tA: false, tB: true, batchA: 2, batchB: 1 },
  { name: 'NN shared A × batch 2, addend', m: 16, n: 20, k: 24, tA: false, tB: false, batchA: 1, batchB: 2, addend: true },
];

export interface TcMatmulResult {
  readonly name: string;
  /** max over outputs of |got − float64(f16(A)·f16(B) + bias + addend)| / (Σ|a·b| + |bias| + |addend|) */
  readonly rel: number;
  /** the same against the unrounded f32 operands: above TC_F16_SEEN when the operands went through f16 */
  readonly relToF32: number;
  /** max |colSum − Σ_k B[k, n]| / Σ_k |B[k, n]| (0 without colSum) */
  readonly colSumRel: number;
  readonly splits: number;
  readonly vecA: boolean;
  readonly vecB: boolean;
}

/** `n` values uniform in [-1, 1): most are not f16 values, so rounding them shows. */
function values(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
}

/** Runs `c` through matmulOwn on the active webgpu backend, which must be running the tensor-core kernel. */
export async function checkTcMatmul(c: TcMatmulCase, seed = 1): Promise<TcMatmulResult> {
  const b = fusedBackend();
  const tc = tensorCoreMatmul();
  if (!b || !tc) throw new Error('tensor-core matmul check: needs the webgpu backend under --precision mixed with the tensor-core matmul installed');
  const [batchA, batchB] = [c.batchA ?? 1, c.batchB ?? 1];
  const batch = Math.max(batchA, batchB);
  const shapeA = [...(batchA > 1 ? [batchA] : []), ...(c.tA ? [c.k, c.m] : [c.m, c.k])];
  const shapeB = [...(batchB > 1 ? [batchB] : []), ...(c.tB ? [c.n, c.k] : [c.k, c.n])];
  const A = values(batchA * c.m * c.k, seed);
  const B = values(batchB * c.k * c.n, seed + 1);
  const bias = c.bias ? values(c.n, seed + 2) : undefined;
  const addend = c.addend ? values(batch * c.m * c.n, seed + 3) : undefined;
  const inputs = [tf.tensor(A, shapeA), tf.tensor(B, shapeB), ...(bias ? [tf.tensor(bias)] : []), ...(addend ? [tf.tensor(addend, [batch, c.m, c.n])] : [])];
  const [ta, tb] = inputs as [tf.Tensor, tf.Tensor];
  const tBias = bias ? inputs[2] : undefined;
  const tAddend = addend ? inputs[inputs.length - 1] : undefined;
  const colSum = c.colSum ? newOutput(b, [c.n]) : undefined;
  const out = matmulOwn(b, ta as Info, tb as Info, c.tA, c.tB, tBias as Info | undefined, tAddend as Info | undefined, colSum);
  if (!out) throw new Error(`tensor-core matmul check '${c.name}': matmulOwn did not take the product`);
  const outT = asTensor(out);
  const got = (await outT.data()) as Float32Array;
  const colSumT = colSum ? asTensor(colSum) : undefined;
  const gotSums = colSumT ? ((await colSumT.data()) as Float32Array) : undefined;
  tf.dispose([...inputs, outT, ...(colSumT ? [colSumT] : [])]);

  const a16 = A.map(f16Round);
  const b16 = B.map(f16Round);
  const at = (bi: number, i: number, k: number) => (batchA > 1 ? bi * c.m * c.k : 0) + (c.tA ? k * c.m + i : i * c.k + k);
  const bt = (bi: number, k: number, j: number) => (batchB > 1 ? bi * c.k * c.n : 0) + (c.tB ? j * c.k + k : k * c.n + j);
  let rel = 0;
  let relToF32 = 0;
  for (let bi = 0; bi < batch; bi++)
    for (let i = 0; i < c.m; i++)
      for (let j = 0; j < c.n; j++) {
        const o = (bi * c.m + i) * c.n + j;
        const extra = (bias?.[j] ?? 0) + (addend?.[o] ?? 0);
        let [s16, s32, scale] = [extra, extra, Math.abs(bias?.[j] ?? 0) + Math.abs(addend?.[o] ?? 0)];
        for (let k = 0; k < c.k; k++) {
          const [x, y] = [at(bi, i, k), bt(bi, k, j)];
          s16 += (a16[x] as number) * (b16[y] as number);
          s32 += (A[x] as number) * (B[y] as number);
          scale += Math.abs((a16[x] as number) * (b16[y] as number));
        }
        const g = got[o] as number;
        rel = Math.max(rel, Number.isFinite(g) ? Math.abs(g - s16) / scale : Infinity);
        relToF32 = Math.max(relToF32, Math.abs(g - s32) / scale);
      }
  let colSumRel = 0;
  if (gotSums)
    for (let j = 0; j < c.n; j++) {
      let [sum, scale] = [0, 0];
      for (let k = 0; k < c.k; k++) [sum, scale] = [sum + (B[bt(0, k, j)] as number), scale + Math.abs(B[bt(0, k, j)] as number)];
      colSumRel = Math.max(colSumRel, Math.abs((gotSums[j] as number) - sum) / scale);
    }
  const tiles = batch * Math.ceil(c.m / tcTileRows(tc.tile, tc.shape)) * Math.ceil(c.n / tcTileCols(tc.tile, tc.shape));
  const { splits } = splitK(tiles, c.k, tc.tile.bk);
  return { name: c.name, rel, relToF32, colSumRel, splits, vecA: (c.tA ? c.m : c.k) % 4 === 0, vecB: (c.tB ? c.k : c.n) % 4 === 0 };
}

/** Every case of TC_MATMUL_CASES; `ok` when each is within TC_MATMUL_REL and shows f16 rounding. */
export async function tcMatmulParity(): Promise<{ ok: boolean; worstRel: number; results: TcMatmulResult[] }> {
  const results: TcMatmulResult[] = [];
  for (const c of TC_MATMUL_CASES) results.push(await checkTcMatmul(c));
  const worstRel = Math.max(...results.map((r) => Math.max(r.rel, r.colSumRel)));
  return { ok: worstRel <= TC_MATMUL_REL && results.every((r) => r.relToF32 > TC_F16_SEEN), worstRel, results };
}
