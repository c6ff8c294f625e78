/**
 * Fault suite, output paths (issue 22): atomic writes leave the previous file or none, a run directory is
 * locked for one process (a dead one's lock is taken over), a verb refuses another verb's run directory and
 * its own without --resume/--overwrite, and --overwrite removes only the run's files.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { from, lastValueFrom, map, throwError, concat } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openRun } from '../../flows/run-context.ts';
import { record } from '../../operators/record.ts';
import { AtomicFile, ensureDir, writeFileAtomic } from '../../src/io/atomic-write.ts';
import { checkRecordPath, claimRunDir, ownerVerb } from '../../src/io/output-path.ts';
import { acquireRunLock, HEARTBEAT_MS, LEASE_MS, LOCK_FILE, RunLockHeldError } from '../../src/io/run-lock.ts';
import { readRecording } from '../../src/recording/index.ts';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-faults-paths-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A PID that certainly runs no process: a child that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('atomic writes', () => {
  it("replace a file whole, and an aborted write leaves the previous one; a dead writer's temporary is swept", async () => {
    const file = path.join(dir, 'atomic', 'summary.json');
    writeFileAtomic(file, 'first\n');
    const half = new AtomicFile(file);
    half.write(Buffer.from('half of a seco'));
    expect(fs.readFileSync(file, 'utf8')).toBe('first\n'); // the real name is untouched while writing
    half.abort();
    expect(fs.readFileSync(file, 'utf8')).toBe('first\n');
    const stale = path.join(path.dirname(file), `.summary.json.tmp-${await deadPid()}-0123abcd`);
    fs.writeFileSync(stale, 'left by kill -9');
    writeFileAtomic(file, 'second\n');
    expect(fs.readFileSync(file, 'utf8')).toBe('second\n');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['summary.json']);
  });

  it('an atomic recording whose stream fails keeps the previous file byte for byte', async () => {
    const file = path.join(dir, 'shard.msgpack');
    await lastValueFrom(
      from([1, 2, 3]).pipe(
        map((i) => ({ i })),
        record(file, { kind: 'samples' }, { atomic: true }),
      ),
    );
    const before = fs.readFileSync(file);
    const failing = concat(
      from([{ i: 9 }, { i: 10 }]),
      throwError(() => new Error('bad image at row 2')),
    );
    await expect(lastValueFrom(failing.pipe(record(file, { kind: 'samples' }, { atomic: true })))).rejects.toThrow('bad image at row 2');
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    const kept: unknown[] = [];
    for await (const r of await readRecording(file)) kept.push(r);
    expect(kept).toEqual([{ i: 1 }, { i: 2 }, { i: 3 }]);
  });

  it('mkdir fails at once under /proc instead of looping (gen --out /proc/nope hung)', () => {
    if (!fs.existsSync('/proc/self')) return; // Linux only; elsewhere there is no such trap
    expect(() => ensureDir('/proc/nope/deeper')).toThrow(/cannot create directory \/proc\/nope\/deeper/);
  });
});

describe('run-directory locks', () => {
  it("refuse a second claim while the first holds it, and take over a dead process's lock", async () => {
    const run = path.join(dir, 'locked');
    fs.mkdirSync(run);
    const lock = acquireRunLock(run, 'sft');
    expect(() => acquireRunLock(run, 'sft')).toThrow(`${run} is already in use by this process`);
    lock.release();
    expect(fs.existsSync(path.join(run, LOCK_FILE))).toBe(false);

    // another live process holds it: refused with its PID
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      fs.writeFileSync(path.join(run, LOCK_FILE), JSON.stringify({ pid: sleeper.pid, verb: 'rl', started: 'then' }));
      expect(() => acquireRunLock(run, 'sft')).toThrow(`is in use by process ${sleeper.pid} on this host ${os.hostname()} (asymflow rl`);
    } finally {
      sleeper.kill('SIGKILL');
    }
    // a killed process's lock is stale
    fs.writeFileSync(path.join(run, LOCK_FILE), JSON.stringify({ pid: await deadPid(), verb: 'rl', started: 'then' }));
    const taken = acquireRunLock(run, 'sft');
    expect(JSON.parse(fs.readFileSync(taken.file, 'utf8')).pid).toBe(process.pid);
    taken.release();
  });

  it("name their host: another host's lock is live while its heartbeat is fresh (its PID means nothing here), stale after the lease", () => {
    const run = path.join(dir, 'locked-elsewhere');
    fs.mkdirSync(run);
    const file = path.join(run, LOCK_FILE);
    const at = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
    // PID 2**22 - 1 runs nowhere here: the PID check alone would take this lock over
    fs.writeFileSync(file, JSON.stringify({ pid: 4194303, host: 'gpu-box-7', verb: 'sft', started: at(600_000), heartbeat: at(5_000) }));
    let error: unknown;
    try {
      acquireRunLock(run, 'sft');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RunLockHeldError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^${run} is in use by process 4194303 on host gpu-box-7 \\(asymflow sft, since .+, last heartbeat 5 s ago\\); wait for it to end or choose another --out \\(a lock whose host stops renewing it is taken over 60 s after its last heartbeat\\)$`,
      ),
    );
    expect((error as RunLockHeldError).elsewhere).toBe(true);
    expect((error as RunLockHeldError).staleInMs).toBeGreaterThan(LEASE_MS - 10_000);
    // its host stopped renewing it longer ago than the lease: stale, taken over
    fs.writeFileSync(file, JSON.stringify({ pid: process.pid, host: 'gpu-box-7', verb: 'sft', started: at(600_000), heartbeat: at(LEASE_MS + 1_000) }));
    const taken = acquireRunLock(run, 'rl');
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid, host: os.hostname(), verb: 'rl' });
    taken.release();
    expect(fs.existsSync(file)).toBe(false);
  });

  it('renew their heartbeat while held, and leave a lock alone once another holder took it over', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    try {
      const run = path.join(dir, 'heartbeat');
      fs.mkdirSync(run);
      const lock = acquireRunLock(run, 'sft');
      const beat = () => JSON.parse(fs.readFileSync(lock.file, 'utf8')).heartbeat as string;
      const first = beat();
      vi.advanceTimersByTime(HEARTBEAT_MS);
      expect(Date.parse(beat()) - Date.parse(first)).toBe(HEARTBEAT_MS);
      // another holder's lock in its place (ours went stale on another host): neither renewed nor removed
      const other = { pid: 4194303, host: 'gpu-box-7', verb: 'rl', started: 'then', heartbeat: 'then' };
      fs.writeFileSync(lock.file, JSON.stringify(other));
      vi.advanceTimersByTime(HEARTBEAT_MS);
      lock.release();
      expect(JSON.parse(fs.readFileSync(lock.file, 'utf8'))).toEqual(other);
    } finally {
      vi.useRealTimers();
    }
  });

  it("two runs opened on one directory: the second is refused, the first run's files stay its own", () => {
    const out = path.join(dir, 'shared');
    const first = openRun({ out, config: { seed: 1 }, verb: 'sft' });
    expect(() => openRun({ out, config: { seed: 2 }, verb: 'sft', overwrite: true })).toThrow('is already in use by this process');
    first.writeSummary({ seed: 1 });
    first.close();
    expect(JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')).config).toEqual({ seed: 1 });
  });
});

describe('the output-path rule', () => {
  it("refuses another verb's run directory even with --overwrite, naming the verb", () => {
    const sftDir = path.join(dir, 'sft-run');
    const run = openRun({ out: sftDir, config: {}, verb: 'sft' });
    run.writeSummary({ weightsSha256: 'abc' });
    run.close();
    expect(ownerVerb(sftDir)).toBe('sft');
    for (const overwrite of [false, true]) {
      expect(() => claimRunDir(sftDir, { verb: 'eval', overwrite })).toThrow(
        `eval: --out ${sftDir} is an asymflow sft run directory; eval will not write into it`,
      );
      expect(() => claimRunDir(sftDir, { verb: 'rl', resume: true, overwrite })).toThrow('is an asymflow sft run directory');
    }
    expect(JSON.parse(fs.readFileSync(path.join(sftDir, 'summary.json'), 'utf8'))).toEqual({ weightsSha256: 'abc' });
  });

  it('refuses its own existing run without --resume or --overwrite; --overwrite removes only run files', () => {
    const out = path.join(dir, 'eval-run');
    const run = openRun({ out, config: {}, verb: 'eval' });
    run.writeSummary({ a: 0.5 });
    run.close();
    fs.writeFileSync(path.join(out, 'notes.txt'), 'my notes');
    expect(() => claimRunDir(out, { verb: 'eval' })).toThrow(
      `eval: --out ${out} already holds an asymflow eval run (config.json, metrics.msgpack, notes.txt, summary.json); pass --resume to continue it, --overwrite to replace it`,
    );
    claimRunDir(out, { verb: 'eval', resume: true }).release(); // resume: kept as it is
    expect(fs.existsSync(path.join(out, 'summary.json'))).toBe(true);
    claimRunDir(out, { verb: 'eval', overwrite: true }).release();
    expect(fs.readdirSync(out).sort()).toEqual(['notes.txt']);
  });

  it('refuses a directory of foreign files and a --out that is a file', () => {
    const foreign = path.join(dir, 'documents');
    fs.mkdirSync(foreign);
    fs.writeFileSync(path.join(foreign, 'thesis.tex'), '');
    expect(() => claimRunDir(foreign, { verb: 'rl', overwrite: true })).toThrow(`rl: --out ${foreign} is not empty and holds no asymflow run (thesis.tex)`);
    expect(() => claimRunDir(path.join(foreign, 'thesis.tex'), { verb: 'rl' })).toThrow('is a file, not a directory');
  });

  it("--record FILE: refuses the run's own files and an existing file without --overwrite", () => {
    const out = path.join(dir, 'rec-run');
    fs.mkdirSync(out);
    expect(() => checkRecordPath(path.join(out, 'scored.msgpack'), out, 'eval', true)).toThrow("is the run's own scored.msgpack");
    const notes = path.join(dir, 'notes.msgpack');
    fs.writeFileSync(notes, "a user's file");
    expect(() => checkRecordPath(notes, out, 'eval', false)).toThrow(`eval: --record ${notes} already exists; pass --overwrite to replace it`);
    expect(() => checkRecordPath(notes, out, 'eval', true)).not.toThrow();
  });
});
