/**
 * The subgroup-matrix shape the tensor-core kernels are generated for (issue 17). NVIDIA's Vulkan driver offers
 * f16×f16→f32 at 16×16×16 with subgroups of 32 (the H200's tensor cores); Mesa's lavapipe offers 8×8×8 with
 * subgroups of 8 (bench/lavapipe.sh), where the same generators are tested on a machine without a GPU. Kernels
 * take the shape as a parameter and key their pipelines by it; the webgpu backend sets it from the adapter.
 */

/** Square f16×f16→f32 fragments of `size`, multiplied by subgroups of exactly `subgroup` invocations. */
export interface TcShape {
  readonly size: number;
  readonly subgroup: number;
}

/** The device features every tensor-core kernel needs (f16 in WGSL, subgroups, subgroup matrices). */
export const TC_FEATURES = ['shader-f16', 'subgroups', 'chromium-experimental-subgroup-matrix'] as GPUFeatureName[];

/** The H200's (and every NVIDIA Vulkan driver's seen so far). */
export const NVIDIA_TC_SHAPE: TcShape = { size: 16, subgroup: 32 };

/** One entry of Dawn's adapter.info.subgroupMatrixConfigs. */
export interface MatrixConfig {
  readonly componentType: string;
  readonly resultComponentType: string;
  readonly M: number;
  readonly N: number;
  readonly K: number;
}

/**
 * The shape an adapter's subgroup matrices and subgroup sizes allow (the largest square f16→f32 fragment),
 * or why none: the kernels map invocations to fragments by index / subgroup, so the size must be fixed.
 */
export function tcShapeFor(configs: readonly MatrixConfig[], subgroupMin: number | undefined, subgroupMax: number | undefined): TcShape | string {
  const sizes = configs
    .filter((c) => c.componentType === 'f16' && c.resultComponentType === 'f32' && c.M === c.N && c.N === c.K)
    .map((c) => c.M)
    .filter((s) => s === 8 || s === 16)
    .sort((a, b) => b - a);
  if (sizes.length === 0) return 'the adapter has no square f16×f16→f32 subgroup matrix of 8 or 16';
  if (subgroupMin === undefined || subgroupMin !== subgroupMax) {
    return `subgroups of ${subgroupMin}…${subgroupMax} invocations (the kernels need one fixed size)`;
  }
  const size = sizes[0] as number;
  // A fragment's size² values must spread evenly over the subgroup's invocations when staged.
  if ((size * size) % subgroupMin !== 0) return `${size}×${size} fragments do not spread over subgroups of ${subgroupMin}`;
  return { size, subgroup: subgroupMin };
}

let current: TcShape = NVIDIA_TC_SHAPE;

/** The shape kernels are generated for now (NVIDIA's until a backend with another adapter sets it). */
export const tcShape = (): TcShape => current;

/** Sets the shape (webgpu-device.ts, from the adapter); returns the previous one. */
export function setTcShape(shape: TcShape): TcShape {
  const was = current;
  current = shape;
  return was;
}

/**
 * The WGSL preamble of a subgroup-matrix kernel. Fragment offsets there depend on the subgroup's index
 * (local_invocation_id / subgroup), uniform within each subgroup, which the uniformity analysis cannot see.
 */
export const TC_ENABLES = /* wgsl */ `enable f16;
enable subgroups;
enable chromium_experimental_subgroup_matrix;
diagnostic(off, chromium.subgroup_matrix_uniformity);`;
