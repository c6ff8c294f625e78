/**
 * `--precision` / ASYMFLOW_PRECISION: fp32, or mixed (f16 tensor-core matmuls where the device has them,
 * tensor-cores.ts). Its own light file: the CLI's option table reads it without loading the kernels.
 */
export const PRECISIONS = ['fp32', 'mixed'] as const;
export type Precision = (typeof PRECISIONS)[number];

/** Validates a precision from a flag or the environment; `source` names where it came from. */
export function parsePrecision(value: string, source: string): Precision {
  const v = value.trim().toLowerCase();
  if ((PRECISIONS as readonly string[]).includes(v)) return v as Precision;
  throw new Error(`${source}: unknown precision '${value}'; known: ${PRECISIONS.join(', ')}`);
}
