/**
 * Two switches the backend sets when it installs the kernels and the model's training step reads. They live in
 * the kernel library, below both, so src/backend never imports src/model (docs/architecture.md §1).
 *   mixed precision  on once the f16 tensor-core matmuls are in use: the step then scales its loss
 *                    (src/model/loss-scale.ts)
 *   packed update    the guarded AdamW update in one packed form on webgpu (guarded-step.ts); off
 *                    (ASYMFLOW_PACKED_UPDATE=0): the reference ops there too, for A/B runs
 */
let mixed = false;
let packed = true;

/** Mixed precision on or off for the optimizers' steps; returns the previous setting. */
export function setMixedPrecision(on: boolean): boolean {
  const was = mixed;
  mixed = on;
  return was;
}

export const mixedPrecision = (): boolean => mixed;

/** The packed guarded update on or off; returns the previous setting. */
export function setPackedUpdate(on: boolean): boolean {
  const was = packed;
  packed = on;
  return was;
}

export const packedUpdateOn = (): boolean => packed;
