/**
 * One process per output directory: `DIR/.asymflow.lock` holds the owner's PID and verb for the life of the
 * run. A second process finds it and stops with who holds it; a lock whose PID no longer runs (kill -9, power
 * loss) is stale and taken over. The lock file is written whole under a temporary name and hard-linked into
 * place, so it is created atomically and never read half-written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { tempNameFor } from './atomic-write.ts';
import { pidAlive } from './pid.ts';

export const LOCK_FILE = '.asymflow.lock';

export interface RunLock {
  readonly file: string;
  /** Removes the lock (only if this process still holds it); calling it again does nothing. */
  release(): void;
}

interface LockInfo {
  readonly pid: number;
  readonly verb: string;
  readonly started: string;
}

function readLock(file: string): LockInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
  } catch {
    return undefined; // vanished or unreadable: treated as stale
  }
}

const held = new Map<string, string>(); // lock file → verb, for the exit handler and same-process reuse
let exitHook = false;

/**
 * Takes DIR's lock for `verb` or throws naming the process that holds it. DIR must exist. `name` picks
 * another lock file, for outputs that share a directory (gen's splits: one lock per shard).
 */
export function acquireRunLock(dir: string, verb: string, name = LOCK_FILE): RunLock {
  const file = path.join(path.resolve(dir), name);
  if (held.has(file)) throw new Error(`${path.dirname(file)} is already in use by this process (asymflow ${held.get(file)}, ${path.basename(file)}); choose another --out`);
  const info: LockInfo = { pid: process.pid, verb, started: new Date().toISOString() };
  const temp = tempNameFor(file);
  fs.writeFileSync(temp, `${JSON.stringify(info)}\n`);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        fs.linkSync(temp, file);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw error;
      }
      const owner = readLock(file);
      if (owner && pidAlive(owner.pid)) {
        throw new Error(
          `${path.dirname(file)} is in use by process ${owner.pid} (asymflow ${owner.verb}, since ${owner.started}); ` +
            `wait for it to end or choose another --out (a stale lock of a dead process is taken over by itself)`,
        );
      }
      fs.rmSync(file, { force: true }); // stale: its process is gone
    }
  } finally {
    fs.rmSync(temp, { force: true });
  }
  held.set(file, verb);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const f of held.keys()) releaseFile(f);
    });
  }
  return { file, release: () => releaseFile(file) };
}

function releaseFile(file: string): void {
  if (!held.delete(file)) return;
  if (readLock(file)?.pid === process.pid) fs.rmSync(file, { force: true });
}
