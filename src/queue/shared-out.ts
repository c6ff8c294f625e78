/**
 * Workers write into the coordinator's run directory (`--out`), so it must be the same storage for both.
 * The coordinator leaves a marker file with a random token there and puts the token in every job; a worker
 * that does not find the marker with that token at that path refuses the job instead of training into a
 * directory nobody will read.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const MARKER = '.asymflow-queue.json';

export interface SharedOut {
  readonly dir: string; // absolute
  readonly token: string;
}

/** The coordinator's side: the marker of DIR, created on first use and kept (a re-run reuses its token). */
export function markSharedOut(dir: string): SharedOut {
  const abs = path.resolve(dir);
  fs.mkdirSync(abs, { recursive: true });
  const file = path.join(abs, MARKER);
  if (fs.existsSync(file)) {
    const token = (JSON.parse(fs.readFileSync(file, 'utf8')) as { token?: unknown }).token;
    if (typeof token === 'string' && token.length > 0) return { dir: abs, token };
  }
  const token = randomBytes(16).toString('hex');
  fs.writeFileSync(file, `${JSON.stringify({ token, coordinator: os.hostname(), created: new Date().toISOString() }, null, 2)}\n`);
  return { dir: abs, token };
}

/** The worker's side: undefined when DIR is the coordinator's directory, else why not (for the job's error). */
export function sharedOutProblem(shared: SharedOut): string | undefined {
  const file = path.join(shared.dir, MARKER);
  const where = `worker ${os.hostname()} cannot see the coordinator's run directory ${shared.dir}`;
  const fix = 'put --out on storage every worker mounts at the same path (NFS, a shared volume)';
  if (!fs.existsSync(file)) return `${where} (no ${MARKER} there); ${fix}`;
  let token: unknown;
  try {
    token = (JSON.parse(fs.readFileSync(file, 'utf8')) as { token?: unknown }).token;
  } catch (e) {
    return `${where} (${file} unreadable: ${(e as Error).message}); ${fix}`;
  }
  if (token !== shared.token) return `${where} (${file} there belongs to another coordinator: a local directory of the same name?); ${fix}`;
  return undefined;
}

export function isSharedOut(value: unknown): value is SharedOut {
  const v = value as SharedOut;
  return typeof v === 'object' && v !== null && typeof v.dir === 'string' && path.isAbsolute(v.dir) && typeof v.token === 'string';
}
