/**
 * What the webgpu decoder (decode.ts) is given and gives back: the model as it reads it (model/sample.ts makes a
 * DecodeModel from a Vlm, so the kernel library imports nothing of src/model), the prefill's cache, each
 * step's per-row feed and the picks it reads back.
 */
import type * as tf from '@tensorflow/tfjs';

/** The step's per-row inputs, as model/sample.ts computes them for the tfjs-op step (the token stays on the GPU). */
export interface StepFeed {
  readonly positions: Int32Array; // [B] its text position
  readonly slots: Int32Array; // [B] its cache slot
}

/** One pick per row: the token and its untempered log-prob (rows already finished get ignored values). */
export interface Picks {
  readonly tokens: Int32Array; // [B]
  readonly logprobs: Float32Array; // [B]
}

export interface GpuDecodeOptions {
  readonly temperature: number;
  readonly topP: number;
}

/**
 * What the decoder reads of the model (model/sample.ts makes it from a Vlm), so the kernel library needs nothing
 * of the model's modules: its shape, its weights by parameter name, and the caption grid's row map.
 */
export interface DecodeModel {
  readonly config: {
    readonly d: number;
    readonly ffnMult: number;
    readonly vocab: number;
    readonly heads: number;
    readonly layers: number;
    readonly gridStart: number;
    readonly tiedHead: boolean;
  };
  weight(name: string): tf.Tensor;
  /** Grid rows a sample gathers from (model/caption-grid.ts gridRowsPer). */
  readonly gridRowsPer: number;
  /** Which grid row each text position reads, int32 [maxText] (model/caption-grid.ts gridRowTensor); asked only with grid rows in the cache. */
  gridRowTensor(): tf.Tensor1D;
}

/** The prefill's cache (model/forward.ts KvCache): per layer K and V, each [B, H, C, dh], and the grid rows when the grid is on. */
export interface DecodeCache {
  readonly k: readonly tf.Tensor4D[];
  readonly v: readonly tf.Tensor4D[];
  readonly grid?: tf.Tensor2D;
}
