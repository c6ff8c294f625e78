/**
 * The one way asymflow writes a file it produces: into a hidden temporary name beside it, synced, then
 * renamed over the final name. A crash or a failure leaves the previous file intact, or no file — never a
 * half-written one under the real name. Temporaries a killed process left behind (its PID no longer runs)
 * are removed the next time that file is written.
 *
 * The exception, by design: append-only streams inside a locked run directory (metrics.msgpack,
 * steps.msgpack, rollouts.msgpack) are written in place in whole frames, because `--resume` continues them
 * after a kill; see docs/guarantees.md.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pidAlive } from './pid.ts';

const TMP = /^\.(.+)\.tmp-(\d+)-[0-9a-f]{8}$/;

/** The temporary name `file` is written under: hidden, in the same directory (so rename is atomic). */
export function tempNameFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Removes temporaries of `file` (of every file in its directory with `all`) left by processes that no longer run. */
export function removeStaleTemps(file: string, all = false): void {
  const dir = path.dirname(file);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = TMP.exec(name);
    if (m && (all || m[1] === path.basename(file)) && !pidAlive(Number(m[2]))) fs.rmSync(path.join(dir, name), { force: true });
  }
}

/**
 * mkdir -p that fails instead of looping: Node's recursive mkdir spins forever under /proc (ENOENT from a
 * directory that exists), so each missing level is made alone and any error names the path.
 */
export function ensureDir(dir: string): void {
  const abs = path.resolve(dir);
  const missing: string[] = [];
  let at = abs;
  for (;;) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(at);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot create directory ${abs}: ${(error as Error).message}`);
    }
    if (stat) {
      if (!stat.isDirectory()) throw new Error(`cannot create directory ${abs}: ${at} is not a directory`);
      break;
    }
    missing.push(at);
    const parent = path.dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const level of missing.reverse()) {
    try {
      fs.mkdirSync(level);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot create directory ${abs}: ${(error as Error).message}`);
    }
  }
}

/** A file being written under a temporary name: `commit()` renames it into place, `abort()` removes it. */
export interface AtomicOptions {
  /** fdatasync before the rename (default true): survives power loss, not only a killed process. */
  readonly sync?: boolean;
  /** Look for stale temporaries of this file first (default true; off for thousands of small files). */
  readonly sweep?: boolean;
}

export class AtomicFile {
  readonly temp: string;
  readonly fd: number;
  private done = false;

  constructor(
    readonly file: string,
    private readonly options: AtomicOptions = {},
  ) {
    ensureDir(path.dirname(file));
    if (options.sweep !== false) removeStaleTemps(file);
    this.temp = tempNameFor(file);
    this.fd = fs.openSync(this.temp, 'wx');
  }

  write(data: Uint8Array): void {
    let at = 0;
    while (at < data.length) at += fs.writeSync(this.fd, data, at, data.length - at);
  }

  /** Syncs, closes and renames over the final name; calling it again does nothing. */
  commit(): void {
    if (this.done) return;
    this.done = true;
    try {
      if (this.options.sync !== false) fs.fdatasyncSync(this.fd);
    } finally {
      fs.closeSync(this.fd);
    }
    fs.renameSync(this.temp, this.file);
  }

  /** Closes and removes the temporary: the final name keeps what it held before. */
  abort(): void {
    if (this.done) return;
    this.done = true;
    try {
      fs.closeSync(this.fd);
    } finally {
      fs.rmSync(this.temp, { force: true });
    }
  }
}

/** Writes a whole file atomically. */
export function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicOptions = {}): void {
  const out = new AtomicFile(file, options);
  try {
    out.write(typeof data === 'string' ? Buffer.from(data) : data);
  } catch (error) {
    out.abort();
    throw error;
  }
  out.commit();
}

/** writeFileAtomic for large buffers from async code (the write does not block the event loop). */
export async function writeFileAtomicAsync(file: string, data: string | Uint8Array): Promise<void> {
  ensureDir(path.dirname(file));
  removeStaleTemps(file);
  const temp = tempNameFor(file);
  const handle = await fsp.open(temp, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await fsp.rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  await fsp.rename(temp, file);
}

/** JSON with two-space indent and a final newline, written atomically. */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}
