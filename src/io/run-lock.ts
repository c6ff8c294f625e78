/**
 * One process per output directory: `DIR/.asymflow.lock` holds the owner's host, PID and verb for the life of
 * the run. A second process finds it and stops with who holds it. The lock file is written whole under a
 * temporary name and hard-linked into place, so it is created atomically and never read half-written.
 *
 * When is a lock stale (its owner gone, so it is taken over)?
 *  - held on this host (or written before locks named their host): when its PID no longer runs here
 *    (kill -9, power loss);
 *  - held on another host (an --out on shared storage, runs of the queue's workers): a PID means nothing
 *    here, so the owner renews the lock's `heartbeat` every HEARTBEAT_MS and the lock is stale once that is
 *    older than LEASE_MS (its host died or lost the storage).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tempNameFor } from './atomic-write.ts';
import { pidAlive } from './pid.ts';

export const LOCK_FILE = '.asymflow.lock';
/** How often a holder renews its lock, and how old a renewal may be before another host takes the lock over. */
export const HEARTBEAT_MS = 10_000;
export const LEASE_MS = 60_000;

export interface RunLock {
  readonly file: string;
  /** Removes the lock (only if this process still holds it); calling it again does nothing. */
  release(): void;
}

export interface LockInfo {
  readonly pid: number;
  readonly host?: string; // absent in locks written before hosts were recorded: taken as this host's
  readonly verb: string;
  readonly started: string;
  readonly heartbeat?: string; // ISO time of the holder's last renewal
}

/** A lock held by a live owner: who (for a message, or for a caller that waits out another host's lease). */
export class RunLockHeldError extends Error {
  override readonly name = 'RunLockHeldError';
  constructor(
    message: string,
    readonly owner: LockInfo,
    readonly elsewhere: boolean,
    readonly staleInMs: number,
  ) {
    super(message);
  }
}

function readLock(file: string): LockInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
  } catch {
    return undefined; // vanished or unreadable: treated as stale
  }
}

const sameOwner = (a: LockInfo | undefined, b: LockInfo) => a !== undefined && a.pid === b.pid && a.host === b.host && a.started === b.started;

/** Undefined when the lock is stale, else the error that names its live holder. */
function liveOwner(dir: string, owner: LockInfo, now: number): RunLockHeldError | undefined {
  const host = os.hostname();
  const fix = 'wait for it to end or choose another --out';
  if (owner.host === undefined || owner.host === host) {
    if (!pidAlive(owner.pid)) return undefined;
    const message = `${dir} is in use by process ${owner.pid} on this host ${host} (asymflow ${owner.verb}, since ${owner.started}); ${fix} (a stale lock of a dead process is taken over by itself)`;
    return new RunLockHeldError(message, owner, false, Infinity);
  }
  const beat = Date.parse(owner.heartbeat ?? owner.started);
  const age = Number.isFinite(beat) ? now - beat : Infinity;
  if (age > LEASE_MS) return undefined;
  const message =
    `${dir} is in use by process ${owner.pid} on host ${owner.host} (asymflow ${owner.verb}, since ${owner.started}, last heartbeat ${Math.round(age / 1000)} s ago); ` +
    `${fix} (a lock whose host stops renewing it is taken over ${LEASE_MS / 1000} s after its last heartbeat)`;
  return new RunLockHeldError(message, owner, true, LEASE_MS - age);
}

const held = new Map<string, { verb: string; info: LockInfo; timer: NodeJS.Timeout }>(); // lock file → holder, for renewal, the exit handler and same-process reuse
let exitHook = false;

/** Rewrites the lock with a fresh heartbeat while it still names this holder (a taken-over lock is left alone). */
function renew(file: string): void {
  const h = held.get(file);
  if (!h || !sameOwner(readLock(file), h.info)) return;
  const temp = tempNameFor(file);
  try {
    fs.writeFileSync(temp, `${JSON.stringify({ ...h.info, heartbeat: new Date().toISOString() })}\n`);
    fs.renameSync(temp, file);
  } catch {
    fs.rmSync(temp, { force: true }); // storage gone for a moment: the next beat tries again
  }
}

/**
 * Takes DIR's lock for `verb` or throws (RunLockHeldError) naming the host and process that hold it. DIR must
 * exist. `name` picks another lock file, for outputs that share a directory (gen's splits: one lock per shard).
 */
export function acquireRunLock(dir: string, verb: string, name = LOCK_FILE): RunLock {
  const file = path.join(path.resolve(dir), name);
  if (held.has(file))
    throw new Error(`${path.dirname(file)} is already in use by this process (asymflow ${held.get(file)!.verb}, ${path.basename(file)}); choose another --out`);
  const now = new Date().toISOString();
  const info: LockInfo = { pid: process.pid, host: os.hostname(), verb, started: now, heartbeat: now };
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
      const live = owner && liveOwner(path.dirname(file), owner, Date.now());
      if (live) throw live;
      fs.rmSync(file, { force: true }); // stale: its process or its host is gone
    }
  } finally {
    fs.rmSync(temp, { force: true });
  }
  const timer = setInterval(() => renew(file), HEARTBEAT_MS);
  timer.unref();
  held.set(file, { verb, info, timer });
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const f of held.keys()) releaseFile(f);
    });
  }
  return { file, release: () => releaseFile(file) };
}

function releaseFile(file: string): void {
  const h = held.get(file);
  if (!h) return;
  clearInterval(h.timer);
  held.delete(file);
  if (sameOwner(readLock(file), h.info)) fs.rmSync(file, { force: true });
}
