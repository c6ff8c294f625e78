/**
 * What a backend request is and what resolving one gives (src/backend/index.ts resolves it): the names, the
 * `--backend` / ASYMFLOW_BACKEND request, the resolved backend's face and the error naming what is unusable.
 */
import type { Precision } from './precision.ts';

export type Env = Readonly<Record<string, string | undefined>>;

export const BACKEND_NAMES = ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type BackendRequest = 'auto' | BackendName;

export interface ResolvedBackend {
  readonly name: BackendName;
  /** Adapter / device description, e.g. 'NVIDIA H100 80GB HBM3 (vulkan)' or 'cpu'. */
  readonly device: string;
  /** 'mixed' only where the tensor-core matmuls are in use (webgpu with subgroup matrices); else 'fp32'. */
  readonly precision: Precision;
  /**
   * WebGPU validation / out-of-memory errors since the backend started. tfjs-webgpu batches dispatches into
   * command buffers; one invalid pipeline makes the whole buffer fail to submit, so every kernel in it keeps
   * stale pool memory as output — a step with any error here is garbage (see bench/nan-repro.ts).
   */
  gpuErrors(): readonly string[];
  /** Throws a BackendError naming the first GPU error, if any happened since the last call. */
  throwIfGpuErrors(where: string): void;
  dispose(): Promise<void>;
}

export interface ResolveOptions {
  /** Environment to read ASYMFLOW_BACKEND / ASYMFLOW_WEBGPU_* from (default process.env). */
  readonly env?: Env;
  /** Receives the one `backend: <name> (<device>)` line; default writes it to stderr. */
  readonly log?: (line: string) => void;
  /** `--precision`: fp32 (default) or mixed (f16 tensor-core matmuls); else ASYMFLOW_PRECISION. */
  readonly precision?: string;
}

/** --verbose sets ASYMFLOW_VERBOSE=1: library banners are shown. */
export const isVerbose = (env: Env = process.env): boolean => env.ASYMFLOW_VERBOSE === '1';

export class BackendError extends Error {
  override readonly name = 'BackendError';
}

/** Validates a backend name from a flag or the environment; `source` names where it came from. */
export function parseBackendRequest(value: string, source: string): BackendRequest {
  const v = value.trim().toLowerCase();
  if (v === 'auto' || (BACKEND_NAMES as readonly string[]).includes(v)) return v as BackendRequest;
  throw new BackendError(`${source}: unknown backend '${value}'; known: auto, ${BACKEND_NAMES.join(', ')}`);
}

/** The request in force: the explicit one (a `--backend` flag), else ASYMFLOW_BACKEND, else auto. */
export function requestedBackend(requested: string | undefined, env: Env = process.env): BackendRequest {
  if (requested !== undefined && requested !== '') return parseBackendRequest(requested, '--backend');
  const fromEnv = env.ASYMFLOW_BACKEND;
  if (fromEnv !== undefined && fromEnv !== '') return parseBackendRequest(fromEnv, 'ASYMFLOW_BACKEND');
  return 'auto';
}
