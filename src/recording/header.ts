/**
 * The first frame of every recording: what the stream is and where it came from, so a file found later can
 * be traced to its code (commit) and settings (config).
 */
import { buildInfo } from '../build-info.ts';
import { RecordingError } from './format.ts';

export const SCHEMA_VERSION = 1;

export type RecordingKind = 'samples' | 'scored' | 'rollouts' | 'metrics' | 'groups' | (string & {});

export interface RecordingHeader {
  readonly schema: number;
  readonly kind: RecordingKind;
  readonly config: unknown; // the resolved run config (or null)
  readonly commit: string | null; // the commit of the asymflow build that wrote it (build-info.ts), null when unknown
  readonly version?: string | null; // asymflow's package version (absent in files written before it was recorded)
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

export function completeHeader(init: HeaderInit): RecordingHeader {
  return {
    schema: SCHEMA_VERSION,
    kind: init.kind,
    config: init.config ?? null,
    commit: init.commit === undefined ? buildInfo().commit : init.commit,
    version: buildInfo().version,
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
