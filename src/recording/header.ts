/**
 * The first frame of every recording: what the stream is and where it came from, so a file found later can
 * be traced to its code (commit) and settings (config).
 */
import { execFileSync } from 'node:child_process';
import { RecordingError } from './format.ts';

export const SCHEMA_VERSION = 1;

export type RecordingKind = 'samples' | 'scored' | 'rollouts' | 'metrics' | 'groups' | (string & {});

export interface RecordingHeader {
  readonly schema: number;
  readonly kind: RecordingKind;
  readonly config: unknown; // the resolved run config (or null)
  readonly commit: string | null; // `git rev-parse HEAD` of the writing checkout, null outside git
  readonly created: string; // ISO time the file was created
  readonly meta?: Readonly<Record<string, unknown>>;
}

/** What a writer is given; the rest is filled in at open. */
export interface HeaderInit {
  readonly kind: RecordingKind;
  readonly config?: unknown;
  readonly commit?: string | null;
  readonly created?: string;
  readonly meta?: Readonly<Record<string, unknown>>;
}

let cachedCommit: string | null | undefined;

/**
 * The current checkout's commit, or null when git or the repository is absent (cached per process).
 * ASYMFLOW_COMMIT wins: a bundle run elsewhere (bench/device-pack.sh) names the commit it was built from.
 */
export function gitCommit(cwd = process.cwd()): string | null {
  if (cachedCommit !== undefined) return cachedCommit;
  if (process.env.ASYMFLOW_COMMIT) return (cachedCommit = process.env.ASYMFLOW_COMMIT);
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    cachedCommit = out.toString().trim() || null;
  } catch {
    cachedCommit = null;
  }
  return cachedCommit;
}

export function completeHeader(init: HeaderInit): RecordingHeader {
  return {
    schema: SCHEMA_VERSION,
    kind: init.kind,
    config: init.config ?? null,
    commit: init.commit === undefined ? gitCommit() : init.commit,
    created: init.created ?? new Date().toISOString(),
    ...(init.meta ? { meta: init.meta } : {}),
  };
}

export function validateHeader(value: unknown, file: string): RecordingHeader {
  const h = value as Partial<RecordingHeader> | null;
  if (!h || typeof h !== 'object' || typeof h.schema !== 'number' || typeof h.kind !== 'string') {
    throw new RecordingError(`${file}: the header frame (after byte 8) is not a recording header`);
  }
  if (h.schema > SCHEMA_VERSION) {
    throw new RecordingError(`${file}: schema version ${h.schema} is newer than this asymflow reads (${SCHEMA_VERSION})`);
  }
  return h as RecordingHeader;
}
