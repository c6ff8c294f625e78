/**
 * The rule for every output path (docs/guarantees.md): a verb never replaces what exists unless asked —
 * `--resume` continues its own run, `--overwrite` replaces it — and never writes into another verb's run
 * directory. A claimed run directory is locked (run-lock.ts) for the life of the run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ensureDir } from './atomic-write.ts';
import { acquireRunLock, LOCK_FILE, type RunLock } from './run-lock.ts';

/** What marks a directory as a run of a verb, for directories written before config.json named its verb. */
const MARKS: readonly [string, string][] = [
  ['rollouts.msgpack', 'rl'],
  ['steps.msgpack', 'sft'],
  ['scored.msgpack', 'eval'],
  ['embed.json', 'train-embed'],
  ['sweep.json', 'sweep'],
];

/** Files and folders a run writes; only these are removed by --overwrite (a user's own notes stay). */
const RUN_ENTRIES = [
  'config.json',
  'metrics.msgpack',
  'summary.json',
  'records.jsonl',
  'table.md',
  'table.json',
  'sweep.json',
  'steps.msgpack',
  'rollouts.msgpack',
  'scored.msgpack',
  'embed.json',
  'embed.bin',
  'checkpoints',
  'plots',
];

/** Entries that do not make a directory "hold something": our lock, empty folders a run pre-creates. */
function meaningful(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
  return names.filter((name) => {
    if (name === LOCK_FILE || /^\..*\.tmp-\d+-[0-9a-f]{8}$/.test(name)) return false;
    const full = path.join(dir, name);
    return !(fs.statSync(full).isDirectory() && meaningful(full).length === 0);
  });
}

/** The verb whose run directory `dir` is, `undefined` for an empty or missing one, 'unknown' for foreign content. */
export function ownerVerb(dir: string): string | undefined {
  const entries = meaningful(dir);
  if (entries.length === 0) return undefined;
  try {
    const verb = (JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as { verb?: unknown }).verb;
    if (typeof verb === 'string') return verb;
  } catch {
    // no or unreadable config.json: look at what it holds
  }
  for (const [file, verb] of MARKS) if (entries.includes(file)) return verb;
  return 'unknown';
}

const listed = (names: readonly string[]) => names.slice(0, 5).join(', ') + (names.length > 5 ? `, … (${names.length} entries)` : '');

export interface ClaimOptions {
  readonly verb: string; // sft, rl, eval, diagnose, train-embed, sweep, …
  readonly resume?: boolean; // continue what is there (the verb's own run)
  readonly overwrite?: boolean; // replace the verb's own run
}

export interface RunClaim {
  readonly dir: string;
  readonly existed: boolean; // the directory held a run of this verb when claimed
  release(): void;
}

/**
 * Creates or claims `out` as a run directory of `verb` and locks it. Refuses another verb's run or foreign
 * content always, and an existing run of the same verb unless `resume` or `overwrite`; with `overwrite`
 * (and not `resume`) the previous run's files are removed first.
 */
export function claimRunDir(out: string, { verb, resume = false, overwrite = false }: ClaimOptions): RunClaim {
  const dir = path.resolve(out);
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) throw new Error(`${verb}: --out ${dir} is a file, not a directory`);
  ensureDir(dir);
  const lock: RunLock = acquireRunLock(dir, verb);
  try {
    const owner = ownerVerb(dir);
    if (owner === 'unknown') {
      throw new Error(`${verb}: --out ${dir} is not empty and holds no asymflow run (${listed(meaningful(dir))}); choose a new or empty directory`);
    }
    if (owner !== undefined && owner !== verb) {
      throw new Error(`${verb}: --out ${dir} is an asymflow ${owner} run directory; ${verb} will not write into it — choose another --out`);
    }
    if (owner === verb && !resume) {
      if (!overwrite) {
        throw new Error(
          `${verb}: --out ${dir} already holds an asymflow ${verb} run (${listed(meaningful(dir))}); pass --resume to continue it, --overwrite to replace it, or choose another --out`,
        );
      }
      for (const name of RUN_ENTRIES) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    }
    return { dir, existed: owner === verb, release: () => lock.release() };
  } catch (error) {
    lock.release();
    throw error;
  }
}

/** Refuses to replace an existing file unless `overwrite` (for single-file outputs: shards, --record FILE). */
export function refuseExisting(file: string, what: string, overwrite: boolean): void {
  if (!overwrite && fs.existsSync(file))
    throw new Error(`${what} ${path.resolve(file)} already exists; pass --overwrite to replace it, or choose another path`);
}

/**
 * `--record FILE` of a run: refused when it is one of the run's own files (it would be written twice at
 * once and left corrupt), or when it exists and neither `--resume` continues it nor `--overwrite` replaces it.
 */
export function checkRecordPath(file: string, runDir: string, verb: string, overwrite: boolean): void {
  const abs = path.resolve(file);
  if (path.dirname(abs) === path.resolve(runDir) && RUN_ENTRIES.includes(path.basename(abs))) {
    throw new Error(`${verb}: --record ${abs} is the run's own ${path.basename(abs)}; choose a file outside the run's outputs`);
  }
  refuseExisting(abs, `${verb}: --record`, overwrite);
}
